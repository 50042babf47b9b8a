//! `alertctl registry`: serve a Confluent-compatible schema registry.

use std::path::PathBuf;

use alertctl::formats::avro::compat::Level;
use alertctl::jobs::Report;
use alertctl::transport::registry::server::{serve, ServerConfig};
use alertctl::Error;

use crate::args::{values, CmdResult, Ctx};

/// The `registry` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RegistryCommand {
    /// Serve the Confluent Schema Registry REST API from a local store.
    #[command(after_help = "\
Examples:
  alertctl registry serve --listen 127.0.0.1:8081 --data ./registry
  alertctl registry serve --data ./registry --basic-auth ops:secret --read-only
  alertctl schema import alert_packet/schema --registry http://127.0.0.1:8081

Clients: Confluent's serializers and SchemaRegistryClient, lsst-alert-packet's
syncAllSchemasToRegistry.py, and `alertctl schema` / `tail --registry`. The store is
SQLite with synchronous commits: an acknowledged registration survives kill -9.")]
    Serve(ServeArgs),
}

/// Arguments of `registry serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "HOST:PORT")]
    pub listen: String,
    /// The store's directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Refuse every change (registrations, deletes, config and mode changes).
    #[arg(long)]
    pub read_only: bool,
    /// Require HTTP basic auth for every request.
    #[arg(long, value_name = "USER:PASSWORD", env = "ALERTCTL_REGISTRY_AUTH")]
    pub basic_auth: Option<String>,
    /// Largest request body accepted.
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// The default compatibility level of subjects without their own.
    #[arg(long, value_parser = values::choice::<Level>(), default_value = "FORWARD_TRANSITIVE")]
    pub compatibility: Level,
    /// Worker threads.
    #[arg(long, default_value_t = 4)]
    pub threads: usize,
}

/// Run `alertctl registry`.
pub fn exec(cmd: RegistryCommand, ctx: &mut Ctx) -> CmdResult {
    match cmd {
        RegistryCommand::Serve(a) => {
            let running = serve(ServerConfig {
                listen: a.listen.clone(),
                data: a.data.clone(),
                read_only: a.read_only,
                basic_auth: a.basic_auth.clone(),
                max_body: a.max_body,
                level: a.compatibility,
                threads: a.threads,
            })
            .map_err(|e| Error::failure(e.message))?;
            ctx.diag.info(&format!(
                "schema registry on http://{} (store {}, default compatibility {}{})",
                running.addr(),
                a.data.display(),
                a.compatibility.name(),
                if a.read_only { ", read-only" } else { "" }
            ));
            running.wait();
            Ok(())
        }
    }
}
