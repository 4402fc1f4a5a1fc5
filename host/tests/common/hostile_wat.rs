//! Hostile components no Rust guest can be: several linear memories, dozens of tables,
//! a hundred core instances. Each is a core module written in WAT that implements the
//! `application` world by hand (canonical ABI), componentized with wit-component like
//! the C plugin; `with_core_instances` then adds core instantiations to a component.
//!
//! Every module serves SWx command 303 (like the hostile Rust fixture, so both are never
//! loaded together). `handle` does its damage, then returns a handle-error with
//! Result-Code 2001: reaching that answer means the host let the damage happen.

use std::path::Path;

/// The canonical-ABI plumbing shared by the modules: a bump allocator in memory 0 from
/// 4096, a static `plugin-info` at 0, and the answers. `$damage` is spliced into
/// `handle`; `$extra` into the module (more memories, tables).
fn module(extra: &str, damage: &str) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1)
  {extra}
  (global $bump (mut i32) (i32.const 4096))
  ;; plugin-info {{ name, version, applications, capabilities }} at 0
  (data (memory 0) (i32.const 0)
    "\64\00\00\00\07\00\00\00"      ;; name: 100, 7
    "\78\00\00\00\05\00\00\00"      ;; version: 120, 5
    "\c8\00\00\00\01\00\00\00"      ;; applications: 200, 1
    "\00\00\00\00\00\00\00\00")     ;; capabilities: none
  (data (memory 0) (i32.const 100) "hostile")
  (data (memory 0) (i32.const 120) "1.0.0")
  ;; application {{ id 16777265 (SWx), vendor 10415, commands: 240, 1 }}
  (data (memory 0) (i32.const 200) "\31\00\00\01\af\28\00\00\f0\00\00\00\01\00\00\00")
  (data (memory 0) (i32.const 240) "\2f\01\00\00")
  ;; result<_, handle-error {{ 2001, "damage done" }}> at 400
  (data (memory 0) (i32.const 400) "\01\00\00\00\d1\07\00\00\f4\01\00\00\0b\00\00\00")
  (data (memory 0) (i32.const 500) "damage done")
  ;; result<string, string>: ok("") at 600
  (data (memory 0) (i32.const 600) "\00\00\00\00\00\00\00\00\00\00\00\00")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
    (global.set $bump (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "describe") (result i32) (i32.const 0))
  (func (export "handle") (param i32 i32) (result i32)
    {damage}
    (global.set $bump (i32.const 4096))
    (i32.const 400))
  (func (export "notify") (param i32) (result i32)
    (global.set $bump (i32.const 4096))
    (i32.const 600)))"#
    )
}

fn component(wat: &str) -> Vec<u8> {
    let core = wat::parse_str(wat).unwrap_or_else(|e| panic!("hostile WAT: {e}\n{wat}"));
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("wit");
    super::componentize(&core, &wit).unwrap_or_else(|e| panic!("componentizing hostile WAT: {e:#}"))
}

/// Two linear memories; `handle` grows each by `pages` (64 KiB) pages, trapping if a
/// grow is refused.
pub fn two_memories(pages: u32) -> Vec<u8> {
    let grow = |m: u32| {
        format!("(if (i32.eq (memory.grow {m} (i32.const {pages})) (i32.const -1)) (then unreachable))")
    };
    component(&module("(memory 1)", &format!("{}\n    {}", grow(0), grow(1))))
}

/// `tables` funcref tables (one element each); `handle` grows each by `elements`,
/// trapping if a grow is refused.
pub fn tables(tables: u32, elements: u32) -> Vec<u8> {
    let decl: String = (0..tables).map(|i| format!("(table $t{i} 1 funcref)\n  ")).collect();
    let grow: String = (0..tables)
        .map(|i| {
            format!(
                "(if (i32.eq (table.grow $t{i} (ref.null func) (i32.const {elements})) (i32.const -1)) (then unreachable))\n    "
            )
        })
        .collect();
    component(&module(&decl, &grow))
}

/// A harmless application component that also instantiates an empty core module `n`
/// times: added as two more sections at the end of the component, which index spaces
/// allow (the new module and instances take the next free indices).
pub fn with_core_instances(n: u32) -> Vec<u8> {
    let base = component(&module("", ""));
    // Core modules defined at the component's top level, so the new one's index.
    let (mut depth, mut modules) = (0u32, 0u32);
    for payload in wasmparser::Parser::new(0).parse_all(&base) {
        match payload.expect("the component parses") {
            wasmparser::Payload::Version { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            wasmparser::Payload::ModuleSection { .. } if depth == 1 => modules += 1,
            _ => {}
        }
    }
    let empty = wasm_encoder::Module::new();
    let mut instances = wasm_encoder::InstanceSection::new();
    for _ in 0..n {
        instances.instantiate(modules, std::iter::empty::<(&str, wasm_encoder::ModuleArg)>());
    }
    let mut tail = wasm_encoder::Component::new();
    tail.section(&wasm_encoder::ModuleSection(&empty));
    tail.section(&instances);
    let tail = tail.finish();
    // Both begin with the 8-byte component preamble; keep one.
    let mut out = base;
    out.extend_from_slice(&tail[8..]);
    out
}
