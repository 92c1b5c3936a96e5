//! Renders the interface for the JavaScript side, as TypeScript for the package
//! ([`TYPESCRIPT_PATH`]) and as plain ESM for the benchmark's raw calls ([`JAVASCRIPT_PATH`]): the
//! codes as `as const` objects, each record with a writer (calls) or a reader (results) at the
//! offsets the compiler chose, each kernel export as a spec, and `invokeKernel`, the one place
//! that says how a call's frame is laid out.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Codes, Export, FieldType, Record, CODES, FINGERPRINT, KERNEL_EXPORTS, OTHER_EXPORTS};

/// The package's copy, from the repository root.
pub const TYPESCRIPT_PATH: &str = "packages/labelsmooth/src/wasm-interface.generated.ts";
/// The benchmark's copy (bench/*.mjs run unbundled in Node, Deno, Bun and browsers).
pub const JAVASCRIPT_PATH: &str = "bench/wasm-interface.generated.mjs";

/// Every file this crate renders: (path from the repository root, contents).
pub fn files() -> [(&'static str, String); 2] {
    [(TYPESCRIPT_PATH, render(true)), (JAVASCRIPT_PATH, render(false))]
}

struct Out {
    typed: bool,
    text: String,
}

impl Out {
    /// `annotation` in TypeScript, nothing in JavaScript.
    fn ty<'a>(&self, annotation: &'a str) -> &'a str {
        if self.typed {
            annotation
        } else {
            ""
        }
    }
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }
}

/// The whole file, typed (TypeScript) or not (JavaScript).
pub fn render(typed: bool) -> String {
    let mut out = Out { typed, text: String::new() };
    out.line("// @generated from crates/abi/src/interface.rs by `npm run generate:wasm-interface`: do not edit.");
    out.line("// crates/abi's tests fail when this file is not what the Rust description renders, and the");
    out.line("// loader refuses a module whose `interface_fingerprint()` is not INTERFACE_FINGERPRINT.");
    out.line("");
    out.line("/** A hash of every code, record layout and kernel export below. */");
    out.line(&format!("export const INTERFACE_FINGERPRINT = 0x{FINGERPRINT:08x};\n"));
    for codes in CODES {
        render_codes(&mut out, codes);
    }
    let mut records: Vec<&Record> = Vec::new();
    for export in KERNEL_EXPORTS {
        collect(&mut records, export.call);
        collect(&mut records, export.result);
    }
    collect(&mut records, &crate::Refusal::DESCRIPTION);
    if typed {
        for record in &records {
            render_interface(&mut out, record);
        }
    }
    let mut written: Vec<&str> = Vec::new();
    for export in KERNEL_EXPORTS {
        render_writer(&mut out, export.call, &mut written);
    }
    let mut read: Vec<&str> = Vec::new();
    for export in KERNEL_EXPORTS {
        render_reader(&mut out, export.result, &mut read);
    }
    render_reader(&mut out, &crate::Refusal::DESCRIPTION, &mut read);
    render_protocol(&mut out);
    for export in KERNEL_EXPORTS {
        render_spec(&mut out, export);
    }
    if typed {
        render_module_exports(&mut out);
    }
    out.text
}

/// `record` and the records it holds, each once, inner ones first.
fn collect<'a>(records: &mut Vec<&'a Record>, record: &'a Record) {
    for field in record.fields {
        if let FieldType::Record(inner) = field.ty {
            collect(records, inner);
        }
    }
    if !records.iter().any(|r| r.name == record.name) {
        records.push(record);
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn jsdoc(out: &mut Out, indent: &str, doc: &str) {
    let lines: Vec<&str> = doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => {}
        [one] => out.line(&format!("{indent}/** {one} */")),
        many => {
            out.line(&format!("{indent}/**"));
            for line in many {
                out.line(&format!("{indent} * {line}"));
            }
            out.line(&format!("{indent} */"));
        }
    }
}

/// `name` as an object literal's key: quoted unless it is an identifier (`'relaxed-simd'`).
fn property_key(name: &str) -> String {
    let identifier = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c == '$' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if identifier {
        String::from(name)
    } else {
        format!("'{name}'")
    }
}

fn render_codes(out: &mut Out, codes: &Codes) {
    jsdoc(out, "", codes.doc);
    out.line(&format!("export const {} = {{", codes.name));
    for (name, value) in codes.values {
        out.line(&format!("  {}: {value},", property_key(name)));
    }
    if out.typed {
        out.line("} as const;");
        out.line(&format!("export type {0} = (typeof {0})[keyof typeof {0}];\n", codes.name));
    } else {
        out.line("};\n");
    }
}

fn ts_type(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Address | FieldType::U32 | FieldType::I32 | FieldType::F32 | FieldType::F64 => "number",
        FieldType::Code(codes) => codes.name,
        FieldType::Record(record) => record.name,
    }
}

fn render_interface(out: &mut Out, record: &Record) {
    jsdoc(out, "", record.doc);
    if record.fields.is_empty() {
        out.line(&format!("export type {} = Record<string, never>;\n", record.name));
        return;
    }
    out.line(&format!("export interface {} {{", record.name));
    for field in record.fields {
        let fallback = if matches!(field.ty, FieldType::Address) { "An address in wasm memory." } else { "" };
        jsdoc(out, "  ", if field.doc.is_empty() { fallback } else { field.doc });
        out.line(&format!("  {}: {};", camel(field.name), ts_type(&field.ty)));
    }
    out.line("}\n");
}

/// The DataView method for a scalar field.
fn accessor(ty: &FieldType) -> Option<&'static str> {
    match ty {
        FieldType::Address | FieldType::U32 | FieldType::Code(_) => Some("Uint32"),
        FieldType::I32 => Some("Int32"),
        FieldType::F32 => Some("Float32"),
        FieldType::F64 => Some("Float64"),
        FieldType::Record(_) => None,
    }
}

fn render_writer<'a>(out: &mut Out, record: &'a Record, written: &mut Vec<&'a str>) {
    if written.contains(&record.name) {
        return;
    }
    for field in record.fields {
        if let FieldType::Record(inner) = field.ty {
            render_writer(out, inner, written);
        }
    }
    written.push(record.name);
    let signature = format!(
        "function write{0}(view{1}, at{2}, record{3}){4} {{",
        record.name,
        out.ty(": DataView"),
        out.ty(": number"),
        if out.typed { format!(": {}", record.name) } else { String::new() },
        out.ty(": void"),
    );
    out.line(&signature);
    for field in record.fields {
        let (name, offset) = (camel(field.name), field.offset);
        match (accessor(&field.ty), &field.ty) {
            (Some(method), _) => out.line(&format!("  view.set{method}(at + {offset}, record.{name}, true);")),
            (None, FieldType::Record(inner)) => {
                out.line(&format!("  write{}(view, at + {offset}, record.{name});", inner.name))
            }
            (None, _) => unreachable!("only records have no accessor"),
        }
    }
    out.line("}\n");
}

fn render_reader<'a>(out: &mut Out, record: &'a Record, read: &mut Vec<&'a str>) {
    if read.contains(&record.name) {
        return;
    }
    read.push(record.name);
    // The Refusal is read by `invokeKernel`'s callers, the rest through their export's spec.
    let export = if record.name == crate::Refusal::DESCRIPTION.name { "export " } else { "" };
    let (view, at) = if record.fields.is_empty() { ("_view", "_at") } else { ("view", "at") };
    let signature = format!(
        "{export}function read{0}({view}{1}, {at}{2}){3} {{",
        record.name,
        out.ty(": DataView"),
        out.ty(": number"),
        if out.typed { format!(": {}", record.name) } else { String::new() },
    );
    out.line(&signature);
    if record.fields.is_empty() {
        out.line("  return {};\n}\n");
        return;
    }
    out.line("  return {");
    for field in record.fields {
        let method = accessor(&field.ty).expect("results hold numbers only");
        let cast = match (out.typed, &field.ty) {
            (true, FieldType::Code(codes)) => format!(" as {}", codes.name),
            _ => String::new(),
        };
        out.line(&format!("    {}: view.get{method}(at + {}, true){cast},", camel(field.name), field.offset));
    }
    out.line("  };\n}\n");
}

/// How a kernel call is laid out in memory, and the one function that performs it.
fn render_protocol(out: &mut Out) {
    if out.typed {
        out.line("/**");
        out.line(" * A kernel export `name(call, outcome) -> Status`: it reads a call record at `call` and writes");
        out.line(" * at `outcome` the Refusal (status ≠ ok) or, at `resultOffset`, the result record.");
        out.line(" */");
        out.line("export interface KernelExportSpec<Call, Result> {");
        out.line("  readonly name: KernelExportName;");
        out.line("  readonly callBytes: number;");
        out.line("  readonly outcomeBytes: number;");
        out.line("  readonly resultOffset: number;");
        out.line("  write(view: DataView, at: number, call: Call): void;");
        out.line("  read(view: DataView, at: number): Result;");
        out.line("}\n");
        let names: Vec<String> = KERNEL_EXPORTS.iter().map(|e| format!("'{}'", e.name)).collect();
        out.line(&format!("export type KernelExportName =\n  | {};\n", names.join("\n  | ")));
        out.line("/** What one kernel call returned: the result, or the status and the refusal. */");
        out.line("export type KernelOutcome<Result> = { status: 0; result: Result } | { status: Exclude<Status, 0>; refusal: Refusal };\n");
    }
    out.line("/** The call record at `frame`, the outcome after it, 16-byte aligned. */");
    out.line(&format!("function outcomeOffset(callBytes{}){} {{", out.ty(": number"), out.ty(": number")));
    out.line("  return Math.ceil(callBytes / 16) * 16;\n}\n");
    out.line("/** The bytes of wasm memory (16-byte aligned) a call of `spec` needs at its frame. */");
    let spec_ty = if out.typed { "<C, R>(spec: KernelExportSpec<C, R>): number" } else { "(spec)" };
    out.line(&format!("export function frameBytes{spec_ty} {{"));
    out.line("  return outcomeOffset(spec.callBytes) + spec.outcomeBytes;\n}\n");
    out.line("/**");
    out.line(" * Calls kernel export `spec` of `exports` with the call record `call`, using the `frameBytes(spec)`");
    out.line(" * bytes at `frame`. Views of the memory are taken after the call as well as before: nothing");
    out.line(" * here keeps one across a call.");
    out.line(" */");
    let (params, ret) = if out.typed {
        ("<C, R>(exports: WasmExports, spec: KernelExportSpec<C, R>, frame: number, call: C)", ": KernelOutcome<R>")
    } else {
        ("(exports, spec, frame, call)", "")
    };
    out.line(&format!("export function invokeKernel{params}{ret} {{"));
    out.line("  spec.write(new DataView(exports.memory.buffer), frame, call);");
    out.line("  const outcome = frame + outcomeOffset(spec.callBytes);");
    out.line("  const status = exports[spec.name](frame, outcome);");
    out.line("  const view = new DataView(exports.memory.buffer);");
    out.line("  if (status === Status.ok) return { status, result: spec.read(view, outcome + spec.resultOffset) };");
    out.line("  return { status, refusal: readRefusal(view, outcome) };\n}\n");
}

fn render_spec(out: &mut Out, export: &Export) {
    jsdoc(out, "", export.doc);
    let ty = if out.typed {
        format!(": KernelExportSpec<{}, {}>", export.call.name, export.result.name)
    } else {
        String::new()
    };
    out.line(&format!("export const {}Kernel{ty} = {{", camel(export.name)));
    out.line(&format!("  name: '{}',", export.name));
    out.line(&format!("  callBytes: {},", export.call.bytes));
    out.line(&format!("  outcomeBytes: {},", export.outcome_bytes));
    out.line(&format!("  resultOffset: {},", export.result_offset));
    out.line(&format!("  write: write{},", export.call.name));
    out.line(&format!("  read: read{},", export.result.name));
    out.line("};\n");
}

fn render_module_exports(out: &mut Out) {
    out.line("/** The exports of every build of the module (crates/wasm). */");
    out.line("export interface WasmExports {");
    out.line("  readonly memory: { readonly buffer: ArrayBuffer };");
    for (name, params, returns) in OTHER_EXPORTS {
        let params: Vec<String> = params.iter().map(|p| format!("{}: number", camel(p))).collect();
        out.line(&format!("  {name}({}): {};", params.join(", "), if *returns { "number" } else { "void" }));
    }
    for export in KERNEL_EXPORTS {
        out.line(&format!("  {}(call: number, outcome: number): Status;", export.name));
    }
    out.line("}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed files are what the description renders: a code, field or export changed here
    /// without `npm run generate:wasm-interface` (or a generated file edited by hand) fails this.
    #[test]
    fn committed_files_match_the_description() {
        let committed = [
            include_str!("../../../packages/labelsmooth/src/wasm-interface.generated.ts"),
            include_str!("../../../bench/wasm-interface.generated.mjs"),
        ];
        for ((path, rendered), committed) in files().iter().zip(committed) {
            assert!(
                committed == rendered,
                "{path} differs from what crates/abi/src/interface.rs renders: run `npm run generate:wasm-interface`"
            );
        }
    }

    #[test]
    fn every_record_is_laid_out_without_overlap() {
        let mut records: Vec<&Record> = Vec::new();
        for export in KERNEL_EXPORTS {
            collect(&mut records, export.call);
            collect(&mut records, export.result);
        }
        for record in records {
            let mut end = 0;
            for field in record.fields {
                assert!(field.offset >= end, "{}.{} overlaps the field before it", record.name, field.name);
                end = field.offset
                    + match field.ty {
                        FieldType::F64 => 8,
                        FieldType::Record(inner) => inner.bytes,
                        _ => 4,
                    };
            }
            assert!(end <= record.bytes, "{} ends past its size", record.name);
        }
    }

    #[test]
    fn codes_are_distinct_within_each_set() {
        for codes in CODES {
            for (i, (name, value)) in codes.values.iter().enumerate() {
                for (other, other_value) in &codes.values[i + 1..] {
                    assert!(name != other && value != other_value, "{}: {name} and {other} collide", codes.name);
                }
            }
        }
    }
}
