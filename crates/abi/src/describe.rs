//! How the interface is described: the two macros that declare it ([`record!`], [`codes!`]), the
//! field types a record may hold, and the description they produce for the TypeScript renderer
//! and the fingerprint.

use core::marker::PhantomData;

/// A set of numeric codes: its Rust name and, for each code, the name TypeScript uses and its value.
#[derive(Debug)]
pub struct Codes {
    pub name: &'static str,
    pub doc: &'static str,
    pub values: &'static [(&'static str, u32)],
}

/// A `#[repr(C)]` record in wasm memory: its name, size and fields.
#[derive(Debug)]
pub struct Record {
    pub name: &'static str,
    pub doc: &'static str,
    pub bytes: usize,
    pub fields: &'static [Field],
}

#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: FieldType,
    pub offset: usize,
}

/// What a field holds, as far as TypeScript must know to write or read it.
#[derive(Debug)]
pub enum FieldType {
    /// An address in wasm memory (0: absent, where the field says it may be).
    Address,
    U32,
    I32,
    F32,
    F64,
    /// One of a set of codes, stored as a u32.
    Code(&'static Codes),
    /// A record stored inline.
    Record(&'static Record),
}

/// One kernel export: `name(call, outcome) -> status`. The export reads a `call` record at
/// address `call` and writes an [`Outcome`] of `result` at address `outcome`.
#[derive(Debug)]
pub struct Export {
    pub name: &'static str,
    pub doc: &'static str,
    pub call: &'static Record,
    pub result: &'static Record,
    /// The size of `Outcome<result>` and the offset of its result.
    pub outcome_bytes: usize,
    pub result_offset: usize,
}

/// What a kernel export writes at its outcome address: on a refusal (status ≠ `ok`) the
/// [`Refusal`] and nothing else; otherwise the result record.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Outcome<R> {
    pub refusal: crate::Refusal,
    pub result: R,
}

/// Ties a kernel export's name to its call and result records, so that the wasm crate's export
/// and the description cannot name different records.
pub trait KernelExport {
    const NAME: &'static str;
    type Call: Copy;
    type Result: Copy;
    const DESCRIPTION: Export;
}

/// A type a record field may have.
pub trait FieldKind {
    const TYPE: FieldType;
}

impl FieldKind for u32 {
    const TYPE: FieldType = FieldType::U32;
}
impl FieldKind for i32 {
    const TYPE: FieldType = FieldType::I32;
}
impl FieldKind for f32 {
    const TYPE: FieldType = FieldType::F32;
}
impl FieldKind for f64 {
    const TYPE: FieldType = FieldType::F64;
}

/// The address of `T`s in wasm memory (a wasm32 address: a u32 on every host, so the layout the
/// description gives natively is the one the wasm build has).
#[derive(Debug)]
#[repr(transparent)]
pub struct Address<T>(pub u32, PhantomData<fn() -> T>);

impl<T> Clone for Address<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Address<T> {}
impl<T> Default for Address<T> {
    fn default() -> Self {
        Self::new(0)
    }
}
impl<T> PartialEq for Address<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Address<T> {
    pub const fn new(address: u32) -> Self {
        Self(address, PhantomData)
    }
    pub const fn get(self) -> usize {
        self.0 as usize
    }
    pub const fn is_null(self) -> bool {
        self.0 == 0
    }
}

impl<T> FieldKind for Address<T> {
    const TYPE: FieldType = FieldType::Address;
}

/// A set of codes, declared with [`codes!`].
pub trait CodeSet: Sized + Copy {
    const DESCRIPTION: Codes;
    fn from_code(code: u32) -> Option<Self>;
}

/// A code as it lies in memory: any u32, which [`Code::get`] turns into `T` or refuses.
#[derive(Debug)]
#[repr(transparent)]
pub struct Code<T>(pub u32, PhantomData<T>);

impl<T> Clone for Code<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Code<T> {}
impl<T> Default for Code<T> {
    fn default() -> Self {
        Self(0, PhantomData)
    }
}
impl<T> PartialEq for Code<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: CodeSet> Code<T> {
    pub const fn new(code: u32) -> Self {
        Self(code, PhantomData)
    }
    /// The code's meaning, or None for a code `T` does not have.
    pub fn get(self) -> Option<T> {
        T::from_code(self.0)
    }
}

impl<T: CodeSet> FieldKind for Code<T> {
    const TYPE: FieldType = FieldType::Code(&T::DESCRIPTION);
}

/// Declares a `#[repr(u32)]` enum of codes shared with TypeScript: each variant's value and the
/// name TypeScript gives it.
macro_rules! codes {
    (
        $(#[doc = $doc:literal])*
        pub enum $name:ident { $( $(#[doc = $vdoc:literal])* $variant:ident = $value:literal as $ts:literal, )* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum $name { $( $(#[doc = $vdoc])* $variant = $value, )* }

        impl $crate::describe::CodeSet for $name {
            const DESCRIPTION: $crate::Codes = $crate::Codes {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                values: &[$(($ts, $value)),*],
            };
            fn from_code(code: u32) -> Option<Self> {
                match code {
                    $($value => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// Declares a `#[repr(C)]` record the TypeScript layer writes (a call) or reads (a result), with
/// its description: field names, types and offsets as the compiler laid them out.
macro_rules! record {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident { $( $(#[doc = $fdoc:literal])* pub $field:ident: $ty:ty, )* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq)]
        #[repr(C)]
        pub struct $name { $( $(#[doc = $fdoc])* pub $field: $ty, )* }

        impl $name {
            pub const DESCRIPTION: $crate::Record = $crate::Record {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                bytes: core::mem::size_of::<Self>(),
                fields: &[$($crate::Field {
                    name: stringify!($field),
                    doc: concat!($($fdoc, "\n",)*),
                    ty: <$ty as $crate::describe::FieldKind>::TYPE,
                    offset: core::mem::offset_of!($name, $field),
                }),*],
            };
        }

        impl $crate::describe::FieldKind for $name {
            const TYPE: $crate::FieldType = $crate::FieldType::Record(&Self::DESCRIPTION);
        }
    };
}

/// Declares a kernel export: a unit type implementing [`KernelExport`] for `name(call) -> result`.
macro_rules! kernel_export {
    ($(#[doc = $doc:literal])* $ty:ident = $name:ident($call:ty) -> $result:ty) => {
        $(#[doc = $doc])*
        pub struct $ty;

        impl $crate::describe::KernelExport for $ty {
            const NAME: &'static str = stringify!($name);
            type Call = $call;
            type Result = $result;
            const DESCRIPTION: $crate::Export = $crate::Export {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                call: &<$call>::DESCRIPTION,
                result: &<$result>::DESCRIPTION,
                outcome_bytes: core::mem::size_of::<$crate::describe::Outcome<$result>>(),
                result_offset: core::mem::offset_of!($crate::describe::Outcome<$result>, result),
            };
        }
    };
}

pub(crate) use {codes, kernel_export, record};

/// FNV-1a over the whole description: names, values, sizes, offsets and types, in order. Equal
/// fingerprints on both sides mean the module and the TypeScript layer agree on every code and
/// every byte of every record.
pub const fn fingerprint(codes: &[&Codes], exports: &[&Export]) -> u32 {
    let mut h = Fnv::new();
    let mut i = 0;
    while i < codes.len() {
        h = h.codes(codes[i]);
        i += 1;
    }
    let mut i = 0;
    while i < exports.len() {
        let e = exports[i];
        h = h.str(e.name).record(e.call).record(e.result).num(e.outcome_bytes as u64).num(e.result_offset as u64);
        i += 1;
    }
    h.0
}

struct Fnv(u32);

impl Fnv {
    const fn new() -> Self {
        Fnv(0x811c_9dc5)
    }
    const fn byte(self, b: u8) -> Self {
        Fnv((self.0 ^ b as u32).wrapping_mul(0x0100_0193))
    }
    const fn str(self, s: &str) -> Self {
        let bytes = s.as_bytes();
        let mut h = self;
        let mut i = 0;
        while i < bytes.len() {
            h = h.byte(bytes[i]);
            i += 1;
        }
        h.byte(0)
    }
    const fn num(self, n: u64) -> Self {
        let mut h = self;
        let mut i = 0;
        while i < 8 {
            h = h.byte((n >> (8 * i)) as u8);
            i += 1;
        }
        h
    }
    const fn codes(self, c: &Codes) -> Self {
        let mut h = self.str(c.name);
        let mut i = 0;
        while i < c.values.len() {
            h = h.str(c.values[i].0).num(c.values[i].1 as u64);
            i += 1;
        }
        h
    }
    const fn record(self, r: &Record) -> Self {
        let mut h = self.str(r.name).num(r.bytes as u64);
        let mut i = 0;
        while i < r.fields.len() {
            let f = &r.fields[i];
            h = h.str(f.name).num(f.offset as u64);
            h = match f.ty {
                FieldType::Address => h.byte(1),
                FieldType::U32 => h.byte(2),
                FieldType::I32 => h.byte(3),
                FieldType::F32 => h.byte(4),
                FieldType::F64 => h.byte(5),
                FieldType::Code(c) => h.byte(6).codes(c),
                FieldType::Record(r) => h.byte(7).record(r),
            };
            i += 1;
        }
        h
    }
}
