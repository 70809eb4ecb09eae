import {it} from 'node:test'; it('x', () => {});
