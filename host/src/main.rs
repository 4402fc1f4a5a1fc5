use std::process::ExitCode;

fn main() -> ExitCode {
    plughss::cli::main()
}
