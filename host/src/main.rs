use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: a ULR allocates and frees dozens of small
/// buffers across threads, and glibc spent about 12% of the server's CPU in a ULR storm
/// (perf: `_int_malloc`, `_int_free`, `malloc_consolidate`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    plughss::cli::main()
}
