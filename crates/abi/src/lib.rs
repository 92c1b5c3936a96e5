//! The interface between the wasm exports (`crates/wasm`) and the TypeScript layer
//! (`packages/labelsmooth/src`), defined once.
//!
//! Every kernel export takes two addresses: a call record the TypeScript layer wrote (inputs:
//! addresses of buffers, sizes, codes, scalars) and an outcome block the export writes (the
//! reason for a refusal, or the call's result record). The records and the codes are declared
//! here with `record!` and `codes!`, which give Rust its `#[repr(C)]` structs and `#[repr(u32)]`
//! enums and, from the same tokens, a description ([`Record`], [`Codes`]). The binary
//! `generate-wasm-interface` (`npm run generate:wasm-interface`) renders that description as
//! `packages/labelsmooth/src/wasm-interface.generated.ts` and `bench/wasm-interface.generated.mjs`
//! ([`render`]); a test in this crate fails when a committed file is not what it renders, and
//! the wasm build exports [`FINGERPRINT`], which the TypeScript layer compares with its own copy
//! when it loads a module. So a code or a field changed on one side only fails a test.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod describe;
mod interface;
pub mod render;

pub use describe::{Address, Code, CodeSet, Codes, Export, Field, FieldType, KernelExport, Outcome, Record};
pub use interface::*;
