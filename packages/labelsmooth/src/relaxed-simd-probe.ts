// Whether this engine runs WebAssembly relaxed SIMD, the instruction the relaxed-simd build is
// built for. The probe is the smallest module that uses `f32x4.relaxed_madd`: one function
// `() -> v128` whose body splats 0 three times and multiply-adds them. Engines without relaxed
// SIMD (Node 20 without --experimental-wasm-relaxed-simd, Safari without its flag) reject it in
// validation, which is synchronous and cheap.
const probe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, //                   code: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x0f, //                         i32.const 0, i8x16.splat
  0x41, 0x00, 0xfd, 0x0f, //                         i32.const 0, i8x16.splat
  0x41, 0x00, 0xfd, 0x0f, //                         i32.const 0, i8x16.splat
  0xfd, 0x85, 0x02, //                               f32x4.relaxed_madd (0xfd 0x105)
  0x0b, //                                           end
]);

export function engineSupportsRelaxedSimd(): boolean {
  try {
    return WebAssembly.validate(probe);
  } catch {
    return false;
  }
}
