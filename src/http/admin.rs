//! The write API: ingestion, deletion and reindex jobs. Every endpoint here needs the admin key,
//! which the router checks before any body is read (`guard::require_admin`).

use std::io::{self, BufReader, Read};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::error::{ApiError, Problem};
use super::{AppState, MAX_BODY_BYTES, computing, parse_id, read_body, writing};
use crate::ingest::{Item, LineError, parse_document, read_ndjson};
use crate::schema::{DocId, Document};
use crate::service::{Deleted, IngestReport, JobStatus};

/// Largest NDJSON stream accepted in one request. Memory does not grow with it: the stream is
/// parsed line by line and applied in batches.
pub const MAX_STREAM_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Largest body of `PUT /v1/documents/{id}`: one document, as large as an NDJSON line may be.
pub const MAX_DOCUMENT_BYTES: usize = crate::ingest::MAX_LINE_BYTES;

/// Largest body of `POST /v1/documents/delete`: room for the batch limit's worth of ids.
pub const MAX_DELETE_BYTES: usize = 2 * 1024 * 1024;

/// `POST /v1/documents`: NDJSON (streamed) or a JSON array; `?atomic=true` stores all or
/// nothing.
pub async fn ingest(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Response, ApiError> {
    let mut atomic = false;
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match (key.as_ref(), value.as_ref()) {
            ("atomic", "true") => atomic = true,
            ("atomic", "false") => atomic = false,
            ("atomic", _) => return Err(ApiError::param("atomic", "must be true or false")),
            (other, _) => {
                return Err(ApiError::param(
                    other,
                    "unknown parameter; accepted: atomic",
                ));
            }
        }
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // A stalled body ends the stream as timed out: the write's thread is freed, and what
    // was acknowledged so far is all that was stored.
    let stream = body.into_data_stream().map_err(|e| {
        if super::is_body_timeout(&e) {
            io::Error::new(io::ErrorKind::TimedOut, "the body stalled")
        } else {
            io::Error::other(e)
        }
    });
    let reader = SyncIoBridge::new(StreamReader::new(stream));
    let limit = if atomic || json {
        MAX_BODY_BYTES as u64
    } else {
        MAX_STREAM_BYTES
    };
    let service = state.service.clone();
    let max_batch = state.limits.max_batch_docs;
    let report = writing(move || {
        let reader = BufReader::new(Limited {
            inner: reader,
            left: limit,
            limit,
        });
        if json {
            let items = json_array_items(reader, max_batch)?;
            return finish(if atomic {
                service.ingest_atomic(items)?
            } else {
                Ok(service_ingest_items(&service, items)?)
            });
        }
        if atomic {
            // Held in memory until all of it is known valid: bounded by the batch limit,
            // checked as lines arrive so an oversized request is not read to its end.
            let mut items = Vec::new();
            for item in read_ndjson(reader) {
                items.push(item.map_err(body_error)?);
                check_batch(items.len(), max_batch)?;
            }
            return finish(service.ingest_atomic(items)?);
        }
        Ok(service.ingest(reader)?)
    })
    .await?;
    Ok(Json(report).into_response())
}

/// Refuses an all-or-nothing or JSON-array request with more documents than the limit: such
/// a request is held in memory whole.
fn check_batch(documents: usize, max: usize) -> Result<(), ApiError> {
    if documents > max {
        return Err(ApiError::new(
            Problem::PayloadTooLarge,
            format!(
                "more than {max} documents in one all-or-nothing or JSON-array request \
                 (the limit is INNOHAKU_MAX_BATCH_DOCS); send NDJSON without atomic=true to \
                 stream any number"
            ),
        ));
    }
    Ok(())
}

fn finish(result: Result<IngestReport, Vec<LineError>>) -> Result<IngestReport, ApiError> {
    result.map_err(ApiError::documents)
}

fn service_ingest_items(
    service: &crate::service::Service,
    items: Vec<Item>,
) -> Result<IngestReport, crate::service::ServiceError> {
    // A JSON array is already parsed: store its valid documents, report the rest.
    let mut lines = Vec::new();
    let mut rejected = Vec::new();
    for item in items {
        match item {
            Item::Document(_, doc) => {
                lines.push(serde_json::to_string(&*doc).expect("a document serializes"))
            }
            Item::Rejected(e) => rejected.push(e),
        }
    }
    let mut report = service.ingest(lines.join("\n").as_bytes())?;
    for e in rejected {
        report.reject(e);
    }
    Ok(report)
}

fn body_error(e: io::Error) -> ApiError {
    if e.kind() == io::ErrorKind::FileTooLarge {
        ApiError::new(Problem::PayloadTooLarge, e.to_string())
    } else if e.kind() == io::ErrorKind::TimedOut {
        super::body_timed_out()
    } else {
        ApiError::new(
            Problem::InvalidBody,
            format!("reading the body failed: {e}"),
        )
    }
}

/// Parses a JSON array of at most `max` documents; each element's errors name its position
/// as `line`. Each element is parsed from its own text, so that a key it repeats is found.
fn json_array_items(reader: impl Read, max: usize) -> Result<Vec<Item>, ApiError> {
    let elements: Vec<Box<RawValue>> = serde_json::from_reader(reader).map_err(|e| {
        if e.io_error_kind() == Some(io::ErrorKind::FileTooLarge) {
            ApiError::new(
                Problem::PayloadTooLarge,
                format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            )
        } else if e.io_error_kind() == Some(io::ErrorKind::TimedOut) {
            super::body_timed_out()
        } else {
            ApiError::new(
                Problem::InvalidBody,
                format!("the body is not a JSON array of documents: {e}"),
            )
        }
    })?;
    check_batch(elements.len(), max)?;
    Ok(elements
        .into_iter()
        .enumerate()
        .map(|(i, element)| {
            let line = i + 1;
            match parse_document(element.get().as_bytes()) {
                Ok(doc) => Item::Document(line, Box::new(doc)),
                Err(e) => Item::Rejected(LineError {
                    line,
                    field: e.field,
                    message: e.message,
                }),
            }
        })
        .collect())
}

/// A reader that fails once more than `limit` bytes were read.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("the body is larger than {} bytes", self.limit),
            )
        })?;
        Ok(n)
    }
}

/// `PUT /v1/documents/{id}`: one document as JSON.
pub async fn put_document(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<IngestReport>, ApiError> {
    let id: DocId = id.parse().map_err(|e: crate::schema::InvalidValue| {
        ApiError::new(Problem::InvalidBody, e.to_string())
    })?;
    let body = read_body(&state, &headers, body, MAX_DOCUMENT_BYTES).await?;
    // Parsing detects the language, which is CPU work: on the write's thread, not the reactor.
    let report = writing(move || {
        let doc: Document = parse_document(&body).map_err(|e| {
            ApiError::documents_one(LineError {
                line: 1,
                field: e.field,
                message: e.message,
            })
        })?;
        if doc.id() != &id {
            return Err(ApiError::documents_one(LineError {
                line: 1,
                field: Some("id".into()),
                message: format!(
                    "the body's id `{}` differs from the path's `{id}`",
                    doc.id()
                ),
            }));
        }
        state
            .service
            .ingest_atomic(vec![Item::Document(1, Box::new(doc))])?
            .map_err(ApiError::documents)
    })
    .await?;
    Ok(Json(report))
}

/// `DELETE /v1/documents/{id}`.
pub async fn delete_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let deleted = writing(move || Ok(state.service.delete(&[id])?)).await?;
    if !deleted.missing.is_empty() {
        return Err(ApiError::new(Problem::NotFound, "no document has this id"));
    }
    // Durable either way; 202 says it is not yet gone from search results.
    Ok(if deleted.pending_index {
        (StatusCode::ACCEPTED, Json(DeleteReport::of(1, deleted))).into_response()
    } else {
        StatusCode::NO_CONTENT.into_response()
    })
}

/// Body of `POST /v1/documents/delete`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// Ids to delete.
    pub ids: Vec<String>,
}

/// What a bulk delete did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DeleteReport {
    /// How many documents were deleted.
    pub deleted: usize,
    /// Ids that were not stored.
    pub missing: Vec<String>,
    /// The deletions are durable, but the index could not be updated (the disk is full): the
    /// documents can still be found until it can be, at the latest on the next start.
    pub pending_index: bool,
}

impl DeleteReport {
    /// The report of a delete of `asked` ids.
    fn of(asked: usize, deleted: Deleted) -> DeleteReport {
        DeleteReport {
            deleted: asked - deleted.missing.len(),
            missing: deleted.missing.iter().map(ToString::to_string).collect(),
            pending_index: deleted.pending_index,
        }
    }
}

/// `POST /v1/documents/delete`: `{"ids": [...]}`.
pub async fn delete_documents(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<DeleteReport>, ApiError> {
    let body = read_body(&state, &headers, body, MAX_DELETE_BYTES).await?;
    let max = state.limits.max_batch_docs;
    let ids = computing(move || delete_request(&body, max)).await?;
    let asked = ids.len();
    let deleted = writing(move || Ok(state.service.delete(&ids)?)).await?;
    Ok(Json(DeleteReport::of(asked, deleted)))
}

/// The ids of a bulk delete's body, at most `max` of them.
fn delete_request(body: &[u8], max: usize) -> Result<Vec<DocId>, ApiError> {
    let request: DeleteRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            Problem::InvalidBody,
            format!("expected {{\"ids\": [...]}}: {e}"),
        )
    })?;
    let ids = request
        .ids
        .iter()
        .map(|id| {
            id.parse::<DocId>()
                .map_err(|e| ApiError::new(Problem::InvalidBody, format!("field `ids`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_batch(ids.len(), max)?;
    Ok(ids)
}

/// `POST /v1/jobs/reindex`: starts a full rebuild from the store.
pub async fn start_reindex(State(state): State<AppState>) -> Result<Response, ApiError> {
    let service = state.service.clone();
    let status = writing(move || Ok(service.start_reindex()?)).await?;
    let location = format!("/v1/jobs/{}", status.id);
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(status),
    )
        .into_response())
}

/// `GET /v1/jobs`.
pub async fn list_jobs(State(state): State<AppState>) -> Result<Json<Vec<JobStatus>>, ApiError> {
    Ok(Json(computing(move || Ok(state.service.jobs()?)).await?))
}

/// `GET /v1/jobs/{id}`.
pub async fn job(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<JobStatus>, ApiError> {
    computing(move || {
        state
            .service
            .job(&id)?
            .ok_or_else(|| ApiError::new(Problem::NotFound, "no job has this id"))
    })
    .await
    .map(Json)
}

/// `DELETE /v1/jobs/{id}`: asks a running job to stop.
pub async fn cancel_job(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let status = writing(move || {
        state
            .service
            .cancel_job(&id)?
            .ok_or_else(|| ApiError::new(Problem::NotFound, "no job has this id"))
    })
    .await?;
    Ok((StatusCode::ACCEPTED, Json(status)).into_response())
}

/// What `POST /v1/snapshots` took.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SnapshotReport {
    /// The snapshot's name at its location (its creation time).
    pub id: String,
    /// Where it was written.
    pub location: String,
    /// When it was taken.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Documents in it.
    pub documents: u64,
    /// Files in it, its manifest aside.
    pub files: usize,
    /// Bytes of those files.
    pub bytes: u64,
}

/// `POST /v1/snapshots`: takes a snapshot to the configured location (`--snapshot-to`).
pub async fn create_snapshot(State(state): State<AppState>) -> Result<Response, ApiError> {
    let Some(location) = state.snapshots.clone() else {
        return Err(ApiError::new(
            Problem::Conflict,
            "no snapshot location is configured: start the server with --snapshot-to URL",
        ));
    };
    let service = state.service.clone();
    let manifest =
        writing(move || crate::replication::take(&service, &location).map_err(snapshot_failed))
            .await?;
    let report = SnapshotReport {
        id: manifest.id.clone(),
        location: state
            .snapshots
            .as_ref()
            .map(|l| l.to_string())
            .unwrap_or_default(),
        created_at: manifest.created_at,
        documents: manifest.documents,
        files: manifest.files.len(),
        bytes: manifest.bytes(),
    };
    Ok((StatusCode::CREATED, Json(report)).into_response())
}

/// The problem of a snapshot that could not be taken: the location's fault (503, with its
/// message: only an admin sees it), a full disk (507), or ours.
fn snapshot_failed(e: crate::replication::ReplicationError) -> ApiError {
    use crate::replication::ReplicationError;
    match e {
        ReplicationError::Service(e) => ApiError::from(e),
        ReplicationError::Io { source, .. } if crate::store::is_full(&source) => {
            ApiError::from(crate::service::ServiceError::Io {
                path: String::new(),
                source,
            })
        }
        e @ (ReplicationError::Storage { .. } | ReplicationError::Location { .. }) => {
            tracing::warn!(error = %e, "a snapshot could not be written");
            ApiError::new(Problem::Unavailable, e.to_string()).retry_after(60)
        }
        other => ApiError::internal(other),
    }
}
