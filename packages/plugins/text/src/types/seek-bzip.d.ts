// seek-bzip ships no types; this is the one call Graft makes.
declare module 'seek-bzip' {
  /** A sink for decoded bytes, called once per byte. */
  interface ByteSink {
    writeByte(byte: number): void;
  }
  const Bunzip: {
    /** Decode a whole bzip2 file (several concatenated streams when `multistream`) into `output`. */
    decode(input: Uint8Array, output: ByteSink, multistream?: boolean): void;
  };
  export default Bunzip;
}
