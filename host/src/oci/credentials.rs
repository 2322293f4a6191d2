//! Registry credentials, never shown: `PLUME_REGISTRY_USER` and
//! `PLUME_REGISTRY_PASSWORD` when both are set (for every registry the
//! command speaks to), else Docker's config file (`$DOCKER_CONFIG/config.json`,
//! else `~/.docker/config.json`, with its `auths`, `credsStore` and
//! `credHelpers`, read by `docker_credential`), else anonymous.
//!
//! The secret parts are kept beside them: with any token obtained at run
//! time they make the redactor every registry message passes through
//! before it reaches an error line.

use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;

use crate::oci::OciError;
use crate::redact::Redactor;

/// The user name for every registry, with [`PASSWORD_VAR`].
pub const USER_VAR: &str = "PLUME_REGISTRY_USER";
/// The password or token for every registry, with [`USER_VAR`].
pub const PASSWORD_VAR: &str = "PLUME_REGISTRY_PASSWORD";

/// How to authenticate to one registry, and what to redact.
pub struct Credentials {
    pub auth: RegistryAuth,
    /// The secret parts of `auth`.
    pub secrets: Vec<String>,
}

impl Credentials {
    /// Whether a request made with them carries a secret.
    pub fn any(&self) -> bool {
        !matches!(self.auth, RegistryAuth::Anonymous)
    }

    /// A redactor for these secrets and `more` (tokens obtained since).
    pub fn redactor(&self, more: &[String]) -> Redactor {
        Redactor::new(self.secrets.iter().chain(more).map(String::as_str))
    }
}

/// The credentials for `registry` (`host[:port]`).
pub fn for_registry(registry: &str) -> Result<Credentials, OciError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(user), Some(password)) = (env(USER_VAR), env(PASSWORD_VAR)) {
        return Ok(basic(user, password));
    }
    if !docker_config_exists() {
        return Ok(anonymous());
    }
    let found = docker_credential::get_credential(registry).or_else(|e| match e {
        // Docker keys Docker Hub by its legacy address.
        CredentialRetrievalError::NoCredentialConfigured if is_docker_hub(registry) => {
            docker_credential::get_credential("https://index.docker.io/v1/")
        }
        other => Err(other),
    });
    match found {
        Ok(DockerCredential::UsernamePassword(user, password)) => Ok(basic(user, password)),
        Ok(DockerCredential::IdentityToken(token)) => Ok(Credentials {
            secrets: vec![token.clone()],
            auth: RegistryAuth::Bearer(token),
        }),
        Err(
            CredentialRetrievalError::ConfigNotFound
            | CredentialRetrievalError::NoCredentialConfigured,
        ) => Ok(anonymous()),
        Err(e) => Err(OciError::Credentials {
            registry: registry.to_owned(),
            reason: describe(&e),
        }),
    }
}

/// Whether Docker's config file is there: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_exists() -> bool {
    std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")))
        .is_some_and(|dir| dir.join("config.json").is_file())
}

fn anonymous() -> Credentials {
    Credentials {
        auth: RegistryAuth::Anonymous,
        secrets: Vec::new(),
    }
}

fn basic(user: String, password: String) -> Credentials {
    Credentials {
        secrets: vec![password.clone()],
        auth: RegistryAuth::Basic(user, password),
    }
}

fn is_docker_hub(registry: &str) -> bool {
    matches!(
        registry,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// The crate's error as one line that holds no credential: only its kind.
fn describe(e: &CredentialRetrievalError) -> String {
    match e {
        CredentialRetrievalError::HelperCommunicationError => {
            "the credential helper could not be run".to_owned()
        }
        CredentialRetrievalError::MalformedHelperResponse => {
            "the credential helper answered something unreadable".to_owned()
        }
        CredentialRetrievalError::HelperFailure { helper, .. } => {
            format!("the credential helper docker-credential-{helper} failed")
        }
        CredentialRetrievalError::CredentialDecodingError => {
            "an `auth` entry is not base64 of user:password".to_owned()
        }
        CredentialRetrievalError::CredentialMismatchError => {
            "an `auth` entry disagrees with its username and password".to_owned()
        }
        CredentialRetrievalError::ConfigReadError => {
            "the config file is unreadable or not valid JSON".to_owned()
        }
        _ => "the config file could not be used".to_owned(),
    }
}
