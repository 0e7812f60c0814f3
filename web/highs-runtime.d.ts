/** `highs/runtime` is the package's highs.wasm; esbuild's binary loader turns it into its bytes (scripts/build.mjs). */
declare module 'highs/runtime' {
  const bytes: Uint8Array;
  export default bytes;
}
