// Whether this engine runs WebAssembly SIMD128. The probe is the smallest module that uses a v128
// instruction: one function `() -> v128` whose body is `i32.const 0; i8x16.splat`. Engines
// without SIMD reject it in validation, which is synchronous and cheap.
const probe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

export function engineSupportsSimd128(): boolean {
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}
