//! Compiling a checked rules file: queue URLs resolved, enabled patterns in one
//! [`RuleSet`]. The result is immutable and shared by every invocation.

use super::env::EnvLookup;
use super::error::{join_path, RuleProblem, RuleRef, RulesError};
use super::file::{RuleSpec, RulesFile};
use super::target::Target;
use crate::ruleset::{RuleSet, RuleSetBuilder};

/// The enabled rules of a file, ready to evaluate events.
#[derive(Debug)]
pub struct CompiledRules {
    /// Indexed by [`crate::ruleset::RuleId`].
    rules: Vec<CompiledRule>,
    ruleset: RuleSet,
}

/// One enabled rule with its resolved targets.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRule {
    name: String,
    description: Option<String>,
    targets: Vec<Target>,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledRules>();
};

impl RulesFile {
    /// Resolves every enabled rule's queue URLs through `env` and compiles the enabled
    /// patterns. Disabled rules are left out entirely, so their variables need not be set.
    /// The error holds every problem (unset variables, URLs that are not queue URLs,
    /// a message group id on a standard queue, ...).
    pub fn compile(self, env: &EnvLookup<'_>) -> Result<CompiledRules, RulesError> {
        compile(self, Some(env))
    }

    /// Compiles the enabled patterns only, without targets: for matching and checking
    /// rules where the queues do not matter (`auditbridge match`, `validate-rules`).
    /// Evaluating with the result gives the matched rules and no deliveries.
    pub fn compile_patterns_only(self) -> Result<CompiledRules, RulesError> {
        compile(self, None)
    }
}

fn compile(file: RulesFile, env: Option<&EnvLookup<'_>>) -> Result<CompiledRules, RulesError> {
    let mut problems = Vec::new();
    let mut builder = RuleSetBuilder::new();
    let mut rules = Vec::new();
    for spec in file.into_rules().into_iter().filter(RuleSpec::enabled) {
        let reference = RuleRef::Named(spec.name().to_string());
        let mut targets = Vec::new();
        if let Some(env) = env {
            for (index, target) in spec.targets().iter().enumerate() {
                match target.resolve(env) {
                    Ok(target) => targets.push(target),
                    Err(problem) => problems.push(RuleProblem::new(
                        reference.clone(),
                        join_path(&format!("targets[{index}]"), &problem.path),
                        format!("{} (target {:?})", problem.reason, target.id()),
                    )),
                }
            }
        }
        if let Err(error) = builder.add(spec.name(), spec.pattern()) {
            problems.push(RuleProblem::new(
                reference,
                "pattern",
                error.kind().to_string(),
            ));
        }
        rules.push(CompiledRule {
            name: spec.name().to_string(),
            description: spec.description().map(str::to_string),
            targets,
        });
    }
    if let Some(error) = RulesError::from_problems(problems) {
        return Err(error);
    }
    Ok(CompiledRules {
        rules,
        ruleset: builder.build(),
    })
}

impl CompiledRules {
    /// The enabled rules, in file order; `rules()[id.0]` is the rule of a `RuleId`.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The matcher of the enabled rules.
    pub fn ruleset(&self) -> &RuleSet {
        &self.ruleset
    }

    /// The enabled rule called `name`.
    pub fn rule(&self, name: &str) -> Option<&CompiledRule> {
        self.rules.iter().find(|rule| rule.name == name)
    }
}

impl CompiledRule {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Empty when compiled with [`RulesFile::compile_patterns_only`].
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }
}
