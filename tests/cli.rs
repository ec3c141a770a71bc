//! The one integration-test binary: each module under `tests/cli/` drives the
//! real `wm-hooks` binary (or its real servers) and checks stdout, stderr and
//! the exit code. (`#[path]` because a crate root looks for modules beside it.)

#[path = "util/mod.rs"]
mod util;

#[path = "cli/check.rs"]
mod check;
#[path = "cli/check_endpoints.rs"]
mod check_endpoints;
#[path = "cli/check_formats.rs"]
mod check_formats;
#[path = "cli/completions.rs"]
mod completions;
#[path = "cli/configure.rs"]
mod configure;
#[path = "cli/configure_answers.rs"]
mod configure_answers;
#[path = "cli/configure_terminal.rs"]
mod configure_terminal;
#[path = "cli/connection_limit.rs"]
mod connection_limit;
#[path = "cli/deliver.rs"]
mod deliver;
#[path = "cli/deliver_status.rs"]
mod deliver_status;
#[path = "cli/diagnosis.rs"]
mod diagnosis;
#[path = "cli/events.rs"]
mod events;
#[path = "cli/ingest.rs"]
mod ingest;
#[path = "cli/ingest_faults.rs"]
mod ingest_faults;
#[path = "cli/input_files.rs"]
mod input_files;
#[path = "cli/interrupt.rs"]
mod interrupt;
#[path = "cli/listen.rs"]
mod listen;
#[path = "cli/listen_record.rs"]
mod listen_record;
#[path = "cli/masking.rs"]
mod masking;
#[path = "cli/meta.rs"]
mod meta;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/readers.rs"]
mod readers;
#[path = "cli/redaction.rs"]
mod redaction;
#[path = "cli/redis_refusals.rs"]
mod redis_refusals;
#[path = "cli/report.rs"]
mod report;
#[path = "cli/saved_secret.rs"]
mod saved_secret;
#[path = "cli/send_test.rs"]
mod send_test;
#[path = "cli/send_test_wire.rs"]
mod send_test_wire;
#[path = "cli/sign.rs"]
mod sign;
#[path = "cli/sqlite_faults.rs"]
mod sqlite_faults;
#[path = "cli/store.rs"]
mod store;
#[path = "cli/store_counts.rs"]
mod store_counts;
#[path = "cli/store_rules.rs"]
mod store_rules;
#[path = "cli/stored_entry.rs"]
mod stored_entry;
#[path = "cli/url_password.rs"]
mod url_password;
#[path = "cli/verify.rs"]
mod verify;
#[path = "cli/verify_signature.rs"]
mod verify_signature;
