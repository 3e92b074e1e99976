//! The fine-tuning job types of the ML spec (2025-12-01 `FineTuningJob` and
//! `DistillationJob`): validated and stored like every job; the emulator trains nothing, so
//! such a job follows the same status timeline as the others.
//!
//! - `FineTuning`: `fineTuningDetails` with `modelProvider` `Custom` (a `model` input, a
//!   `trainingData` input, optional `validationData`, a `taskType`) or `AzureOpenAI` (the same
//!   inputs and `hyperParameters`).
//! - `Distillation`: `dataGenerationDetails` (`dataGenerationType`, `dataGenerationTaskType`,
//!   a `teacherModelEndpoint` and `trainingData`), `finetuningDetails.studentModel`.
//!
//! `outputs` get the job's default output when none is given, as for every job type.

use serde_json::Value;

use super::scoped::At;
use crate::emulator::error::ArmResult;

const MODEL_PROVIDERS: &[&str] = &["Custom", "AzureOpenAI"];
const GENERATION_TYPES: &[&str] = &["LabelGeneration", "DataGeneration"];

/// An input at `rel`: an object with a non-empty `uri` and a `jobInputType`.
fn input(at: At<'_>, p: &Value, rel: &str) -> ArmResult<()> {
    at.req_object(p, rel)?;
    at.req_str(p, &format!("{rel}.uri"))?;
    at.req_str(p, &format!("{rel}.jobInputType"))?;
    Ok(())
}

/// Validates a `FineTuning` job's definition.
pub(super) fn fine_tuning(at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    at.req_object(p, "fineTuningDetails")?;
    at.req_enum(p, "fineTuningDetails.modelProvider", MODEL_PROVIDERS)?;
    input(at, p, "fineTuningDetails.model")?;
    input(at, p, "fineTuningDetails.trainingData")?;
    if p.pointer("/fineTuningDetails/validationData").is_some() {
        input(at, p, "fineTuningDetails.validationData")?;
    }
    at.req_str(p, "fineTuningDetails.taskType")?;
    Ok(None)
}

/// Validates a `Distillation` job's definition.
pub(super) fn distillation(at: At<'_>, p: &mut Value) -> ArmResult<Option<Value>> {
    at.req_object(p, "dataGenerationDetails")?;
    at.req_enum(
        p,
        "dataGenerationDetails.dataGenerationType",
        GENERATION_TYPES,
    )?;
    at.req_str(p, "dataGenerationDetails.dataGenerationTaskType")?;
    at.req_str(p, "dataGenerationDetails.teacherModelEndpoint.endpointName")?;
    input(at, p, "dataGenerationDetails.trainingData")?;
    input(at, p, "finetuningDetails.studentModel")?;
    Ok(None)
}
