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
    /// The request is not valid HTTP.
    MalformedRequest,
    /// The request body is not valid.
    InvalidBody,
    /// Some documents in the body were rejected and the caller asked for all or nothing.
    InvalidDocuments,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// The body is not of a media type the endpoint reads.
    UnsupportedMediaType,
    /// The request's URI is longer than allowed.
    UriTooLong,
    /// The request's headers are larger than allowed.
    HeadersTooLarge,
    /// The request (its head or its body) did not arrive in time.
    RequestTimeout,
    /// The client sent more requests than its rate allows.
    TooManyRequests,
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
    /// The service is overloaded, or the request took too long; retry later.
    Unavailable,
    /// The disk is full: nothing more can be stored until space is freed.
    InsufficientStorage,
    /// This server is a read-only replica: writes go to the primary.
    ReadOnlyReplica,
}

impl Problem {
    /// Every problem type.
    pub const ALL: [Problem; 19] = [
        Problem::InvalidParameter,
        Problem::MalformedRequest,
        Problem::InvalidBody,
        Problem::InvalidDocuments,
        Problem::PayloadTooLarge,
        Problem::UnsupportedMediaType,
        Problem::UriTooLong,
        Problem::HeadersTooLarge,
        Problem::RequestTimeout,
        Problem::TooManyRequests,
        Problem::NotFound,
        Problem::MethodNotAllowed,
        Problem::Unauthorized,
        Problem::Conflict,
        Problem::Forbidden,
        Problem::Internal,
        Problem::Unavailable,
        Problem::InsufficientStorage,
        Problem::ReadOnlyReplica,
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
            Problem::MalformedRequest => (
                "malformed-request",
                StatusCode::BAD_REQUEST,
                "Malformed request",
                "The request is not valid HTTP/1.1: its request line or a header does not parse.",
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
            Problem::UnsupportedMediaType => (
                "unsupported-media-type",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                "The body's `Content-Type` is not one the endpoint reads (JSON: `application/json`).",
            ),
            Problem::UriTooLong => (
                "uri-too-long",
                StatusCode::URI_TOO_LONG,
                "URI too long",
                "The request's path and query string are longer than the service accepts; send long texts in a POST body.",
            ),
            Problem::HeadersTooLarge => (
                "headers-too-large",
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Request headers too large",
                "The request's headers are larger, or more, than the service accepts.",
            ),
            Problem::RequestTimeout => (
                "request-timeout",
                StatusCode::REQUEST_TIMEOUT,
                "Request timeout",
                "The request's head or body did not arrive in time. A stalled NDJSON stream may have stored the lines before the stall; writes are idempotent, so send it again.",
            ),
            Problem::TooManyRequests => (
                "too-many-requests",
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "The client sent more requests than its rate allows; retry after the seconds in `Retry-After`.",
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
            Problem::Unavailable => (
                "unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                "The service is busy or the request took too long; retry after the seconds in `Retry-After`.",
            ),
            Problem::InsufficientStorage => (
                "insufficient-storage",
                StatusCode::INSUFFICIENT_STORAGE,
                "Insufficient storage",
                "The disk is full, so the write was not acknowledged: some of it may have been stored. Writes are idempotent: send the same request again after the seconds in `Retry-After`.",
            ),
            Problem::ReadOnlyReplica => (
                "read-only-replica",
                StatusCode::FORBIDDEN,
                "Read-only replica",
                "This server is a read-only replica that serves snapshots of a primary; send writes and admin requests to the primary.",
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
    retry_after: Option<u64>,
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
    /// The request's id, as in the `X-Request-Id` response header: quote it when reporting
    /// the error, and an operator finds the request in the log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ApiError {
    /// An error of a type with a detail message.
    pub fn new(problem: Problem, detail: impl Into<String>) -> ApiError {
        ApiError {
            problem,
            detail: detail.into(),
            param: None,
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// Tells the client to retry after `seconds` (the `Retry-After` header).
    pub fn retry_after(self, seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds),
            ..self
        }
    }

    /// The service is busy: retry in a second.
    pub fn overloaded() -> ApiError {
        ApiError::new(
            Problem::Unavailable,
            "the service is busy; retry in a moment",
        )
        .retry_after(1)
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

impl ApiError {
    /// Its status and problem document, as a response carries them.
    pub fn into_problem(self) -> (StatusCode, ProblemBody) {
        let (_, status, title, _) = self.problem.meta();
        let body = ProblemBody {
            type_uri: self.problem.type_uri(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: self.detail,
            param: self.param,
            errors: self.errors,
            request_id: super::observe::current_request_id(),
        };
        (status, body)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = self.retry_after;
        let (status, body) = self.into_problem();
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<crate::service::ServiceError> for ApiError {
    fn from(e: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError;
        match e {
            e if e.is_disk_full() => {
                tracing::warn!(error = %e, "a write failed: the disk is full");
                ApiError::new(
                    Problem::InsufficientStorage,
                    "the disk is full: the write was not acknowledged, and some of it may have \
                     been stored; send the same request again once space is freed",
                )
                .retry_after(30)
            }
            ServiceError::Store(crate::store::StoreError::Reopening) => {
                ApiError::new(Problem::Unavailable, "the store is being reopened; retry")
                    .retry_after(1)
            }
            ServiceError::ReadOnly(_) => ApiError::new(Problem::ReadOnlyReplica, e.to_string()),
            ServiceError::Busy(job) => ApiError::new(
                Problem::Conflict,
                format!("a reindex is already running: job {job}"),
            ),
            ServiceError::Io { source, .. } if source.kind() == std::io::ErrorKind::TimedOut => {
                ApiError::new(
                    Problem::RequestTimeout,
                    "the body stalled: what arrived before it was stored, the rest was not",
                )
            }
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
