declare module 'keytar';
