//! `demo-service`: runs the demo service in the foreground.
//!
//! ```text
//! demo-service                              # 127.0.0.1:7701 (admin) and :7702 (mcp)
//! demo-service --admin-port 0 --mcp-port 0  # free ports, printed on start-up
//! demo-service --fault stale-manifest --fault revoke-noop
//! demo-service --list-faults
//! ```

use clap::Parser;

use plume_demo_service::faults::{Fault, Faults};
use plume_demo_service::{Options, start};

#[derive(Debug, Parser)]
#[command(name = "demo-service", about = "The service Plume's demo suite smokes")]
struct Args {
    /// Port of the admin listener (0 picks a free one).
    #[arg(long, default_value_t = 7701)]
    admin_port: u16,
    /// Port of the MCP listener (0 picks a free one).
    #[arg(long, default_value_t = 7702)]
    mcp_port: u16,
    /// Switch on a bug from the catalogue (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<Fault>,
    /// Print the fault catalogue and exit.
    #[arg(long)]
    list_faults: bool,
    /// The password of admin@demo.test.
    #[arg(
        long,
        env = "DEMO_ADMIN_PASSWORD",
        default_value = "demo-admin-password"
    )]
    admin_password: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.list_faults {
        for fault in Fault::ALL {
            println!("{:<22} {}", fault.name(), fault.description());
        }
        return Ok(());
    }
    let faults = Faults::new(args.faults.iter().copied());
    let addresses = start(Options {
        admin_port: args.admin_port,
        mcp_port: args.mcp_port,
        faults,
        admin_password: args.admin_password,
    })
    .await?;
    let names: Vec<&str> = args.faults.iter().map(|f| f.name()).collect();
    println!("admin_url={}", addresses.admin_url());
    println!("mcp_url={}", addresses.mcp_url());
    println!(
        "faults={}",
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(",")
        }
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
