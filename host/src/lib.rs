//! PlugHSS, the host: Diameter transport and peers, the router to application plugins,
//! the operator API, and (as they land) the AuC, stores and plugin runtime.

pub mod api;
pub mod app;
pub mod auc;
pub mod bench;
pub mod cli;
pub mod config;
pub mod diameter;
pub mod logging;
pub mod runtime;
pub mod store;
