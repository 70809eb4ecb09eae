declare module 'siphash' {
  const siphash: {
    /** SipHash-2-4 (64-bit output, as its high and low 32 bits); the key is four 32-bit words. */
    hash(key: ArrayLike<number>, message: Uint8Array | string): { h: number; l: number };
  };
  export default siphash;
}
