use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: a ULR allocates and frees dozens of small
/// buffers across threads, and glibc spent about 12% of the server's CPU in a ULR storm
/// (perf: `_int_malloc`, `_int_free`, `malloc_consolidate`). Built with `no_thp`: with
/// transparent huge pages each thread's arena was backed by 2 MiB pages and resident
/// memory after a ULR storm grew from about 120 MiB (glibc) to about 600 MiB; without
/// them it levels off at about 200-300 MiB (350-480 MiB after a whole `bench.sh` run
/// with 256 plugin instances warm).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    plughss::cli::main()
}
