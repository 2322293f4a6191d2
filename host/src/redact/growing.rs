//! A run's redactor, which grows while the run goes on: the suite's secrets
//! from the start, and every value a plugin registers (`log.mask`) from the
//! moment it is registered.
//!
//! Guarantees: a value added is masked, in every form [`Redactor`] knows, in
//! every text redacted after [`GrowingRedactor::add`] returned, by every
//! thread. Text redacted before is not revisited. Adding is cheap (the value
//! is queued); when text is next redacted, one automaton is built for
//! however many values were queued since (merged with the smaller ones
//! before it, see `part`), so neither many values in a row nor values
//! alternating with lines rebuild everything each time.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::Redactor;

#[derive(Debug, Default)]
pub struct GrowingRedactor {
    /// The redactor for everything added up to the last rebuild.
    current: RwLock<Arc<Redactor>>,
    /// Values added since the last rebuild.
    queued: Mutex<Vec<String>>,
}

impl GrowingRedactor {
    pub fn new(start: Redactor) -> Self {
        GrowingRedactor {
            current: RwLock::new(Arc::new(start)),
            queued: Mutex::new(Vec::new()),
        }
    }

    /// Masks `value` in everything redacted from now on (a value shorter
    /// than [`super::MIN_SECRET_LEN`] is not: check it first with
    /// [`super::check_secret`]).
    pub fn add(&self, value: &str) {
        self.queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(value.to_owned());
    }

    /// Whether `value` was added already (or was one of the secrets it started with).
    pub fn knows(&self, value: &str) -> bool {
        let queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        queued.iter().any(|q| q == value) || self.read().masks(value)
    }

    /// The redactor for every value added so far.
    pub fn current(&self) -> Arc<Redactor> {
        // Held while rebuilding, so two threads do not both rebuild and a
        // reader never sees a redactor older than a value it was told of.
        let mut queued = self.queued.lock().unwrap_or_else(PoisonError::into_inner);
        if queued.is_empty() {
            return self.read();
        }
        let joined = Arc::new(self.read().with_added(queued.iter().map(String::as_str)));
        queued.clear();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = joined.clone();
        joined
    }

    fn read(&self) -> Arc<Redactor> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_added_is_masked_from_then_on_with_the_secrets_it_started_with() {
        let r = GrowingRedactor::new(Redactor::new(["configured-pw"]));
        assert_eq!(r.current().redact("configured-pw tok-1234"), "*** tok-1234");
        r.add("tok-1234");
        r.add("sid-5678");
        assert_eq!(
            r.current().redact("configured-pw tok-1234 c2lkLTU2Nzg="),
            "*** *** ***="
        );
        assert_eq!(r.current().redact("dG9rLTEyMzQ"), "***");
        assert!(r.knows("configured-pw") && r.knows("tok-1234"));
        r.add("queued-9999");
        assert!(r.knows("queued-9999") && !r.knows("tok-12345"));
    }

    #[test]
    fn values_added_one_at_a_time_stay_in_a_few_automata_and_all_are_masked() {
        let r = GrowingRedactor::new(Redactor::new(["configured-pw"]));
        let values: Vec<String> = (0..200).map(|i| format!("value-{i:03}-x")).collect();
        for v in &values {
            r.add(v);
            assert_eq!(r.current().redact(&format!("[{v}]")), "[***]");
        }
        let all = r.current();
        let (_, automata, _) = all.size();
        assert!(automata <= 9, "{automata} automata for 201 secrets");
        let line = values.join(" ") + " configured-pw value-200-x";
        let masked = all.redact(&line);
        assert_eq!(
            masked,
            format!("{} *** value-200-x", vec!["***"; 200].join(" "))
        );
        // A span found by two automata (a value inside a longer one) is masked once.
        r.add("ue-007-x value-008");
        assert_eq!(r.current().redact("a value-007-x value-008-x b"), "a *** b");
    }
}
