//! Every HTTP error, rendered in one place as `application/problem+json` (RFC 9457).
//!
//! [`Problem`] is the table of error types: each has a stable code (the last segment of its
//! `type` URI), a status and a title. `GET /problems/{code}` documents each.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::ingest::LineError;

/// The kinds of error the API returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// A query parameter is missing, malformed or out of range.
    InvalidParameter,
    /// The request body is not valid.
    InvalidBody,
    /// Some documents in the body were rejected and the caller asked for all or nothing.
    InvalidDocuments,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// No such document or path.
    NotFound,
    /// The path exists but not with this method.
    MethodNotAllowed,
    /// The write API needs an API key and none was given.
    Unauthorized,
    /// The request conflicts with work in progress (a reindex already running).
    Conflict,
    /// The API key is wrong, or the write API is off.
    Forbidden,
    /// Something failed inside the service.
    Internal,
}

impl Problem {
    /// Every problem type.
    pub const ALL: [Problem; 10] = [
        Problem::InvalidParameter,
        Problem::InvalidBody,
        Problem::InvalidDocuments,
        Problem::PayloadTooLarge,
        Problem::NotFound,
        Problem::MethodNotAllowed,
        Problem::Unauthorized,
        Problem::Conflict,
        Problem::Forbidden,
        Problem::Internal,
    ];

    /// (code, status, title, explanation).
    pub fn meta(self) -> (&'static str, StatusCode, &'static str, &'static str) {
        match self {
            Problem::InvalidParameter => (
                "invalid-parameter",
                StatusCode::BAD_REQUEST,
                "Invalid parameter",
                "A query parameter is missing, malformed or out of range; `param` names it.",
            ),
            Problem::InvalidBody => (
                "invalid-body",
                StatusCode::BAD_REQUEST,
                "Invalid request body",
                "The request body could not be read as the endpoint expects.",
            ),
            Problem::InvalidDocuments => (
                "invalid-documents",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid documents",
                "Documents were rejected; `errors` lists each with its line and field.",
            ),
            Problem::PayloadTooLarge => (
                "payload-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                "The request body is larger than the service accepts; send it in smaller batches.",
            ),
            Problem::NotFound => (
                "not-found",
                StatusCode::NOT_FOUND,
                "Not found",
                "No document or endpoint exists at this path.",
            ),
            Problem::MethodNotAllowed => (
                "method-not-allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                "Method not allowed",
                "The endpoint exists but does not accept this HTTP method.",
            ),
            Problem::Unauthorized => (
                "unauthorized",
                StatusCode::UNAUTHORIZED,
                "Authentication required",
                "Write endpoints need `Authorization: Bearer <admin key>`.",
            ),
            Problem::Conflict => (
                "conflict",
                StatusCode::CONFLICT,
                "Conflict",
                "The request conflicts with work in progress, such as a reindex already running.",
            ),
            Problem::Forbidden => (
                "forbidden",
                StatusCode::FORBIDDEN,
                "Forbidden",
                "The API key is not valid, or the write API is turned off on this server.",
            ),
            Problem::Internal => (
                "internal",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error",
                "The service failed; the error is logged. Try again later.",
            ),
        }
    }

    /// The `type` URI of the problem.
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.meta().0)
    }
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    problem: Problem,
    detail: String,
    param: Option<String>,
    errors: Vec<LineError>,
}

/// The JSON body of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// URI of the problem type (`/problems/{code}` documents it).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short, stable summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this request, for a human.
    pub detail: String,
    /// The offending query parameter, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Per-line errors of a rejected NDJSON body.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<LineError>,
}

impl ApiError {
    /// An error of a type with a detail message.
    pub fn new(problem: Problem, detail: impl Into<String>) -> ApiError {
        ApiError {
            problem,
            detail: detail.into(),
            param: None,
            errors: Vec::new(),
        }
    }

    /// A bad query parameter.
    pub fn param(param: &str, detail: impl Into<String>) -> ApiError {
        ApiError {
            param: Some(param.to_owned()),
            ..ApiError::new(Problem::InvalidParameter, detail)
        }
    }

    /// Documents rejected line by line.
    pub fn documents(errors: Vec<LineError>) -> ApiError {
        let detail = format!("{} line(s) rejected; nothing was stored", errors.len());
        ApiError {
            errors,
            ..ApiError::new(Problem::InvalidDocuments, detail)
        }
    }

    /// One rejected document.
    pub fn documents_one(error: LineError) -> ApiError {
        let detail = error.to_string();
        ApiError {
            errors: vec![error],
            ..ApiError::new(Problem::InvalidDocuments, detail)
        }
    }

    /// An internal failure: logged in full, reported without internals.
    pub fn internal(error: impl std::fmt::Display) -> ApiError {
        tracing::error!(%error, "request failed");
        ApiError::new(
            Problem::Internal,
            "the service could not complete the request",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (_, status, title, _) = self.problem.meta();
        let body = ProblemBody {
            type_uri: self.problem.type_uri(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail,
            param: self.param,
            errors: self.errors,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<crate::service::ServiceError> for ApiError {
    fn from(e: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError;
        match e {
            ServiceError::Busy(job) => ApiError::new(
                Problem::Conflict,
                format!("a reindex is already running: job {job}"),
            ),
            ServiceError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::FileTooLarge =>
            {
                ApiError::new(Problem::PayloadTooLarge, source.to_string())
            }
            ServiceError::Io { source, .. } => ApiError::new(
                Problem::InvalidBody,
                format!("reading the body failed: {source}"),
            ),
            other => ApiError::internal(other),
        }
    }
}
