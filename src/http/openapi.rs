//! The OpenAPI 3.1 contract, generated from the handlers' types with utoipa and served at
//! `/v1/openapi.json`. The checked-in copy (`openapi.json`) is compared in a test.
//!
//! Query parameters are parsed by hand (`params.rs`) so that every error names its
//! parameter; the `*Params` types here describe the same parameters for the contract.

#![allow(dead_code)] // The parameter types exist for the contract only.

use utoipa::{IntoParams, OpenApi};

use crate::analysis::{AnalyzedToken, Inspection, Origin};
use crate::recommend::{
    DocumentRef, Label, Link, Reasons, Recommendation, Recommendations, RegionMode,
};
use crate::schema::{Kind, Language, Phase, Region, TargetGroup, Theme};
use crate::search::{
    DocumentSuggestion, FacetCounts, FacetValue, Hit, Matching, SearchResults, Snippet,
    Suggestions, TermSuggestion,
};
use crate::service::{IngestReport, JobState, JobStatus};

use super::admin::{DeleteReport, DeleteRequest, SnapshotReport};

use super::error::{Problem, ProblemBody};
use super::{PageBody, SearchResponse, SimilarResponse};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Innohaku",
        description = "Search and recommendations over Finnish social and health care development work: practices (toimintamallit), projects (hankkeet) and networks (verkostot). Every error is `application/problem+json` (RFC 9457); `GET /problems/{code}` documents each problem type.",
        license(name = "MIT")
    ),
    modifiers(&AdminKey, &RequestIds),
    paths(
        search_doc, suggest_doc, document_doc, similar_doc, similar_page_doc, similar_body_doc, analyze_doc, ingest_doc, put_doc, delete_doc,
        bulk_delete_doc, reindex_doc, snapshot_doc, jobs_doc, job_doc, cancel_job_doc, vocabulary_doc, healthz_doc, readyz_doc,
        metrics_doc
    ),
    components(schemas(
        SearchResponse, SearchResults, Hit, Snippet, FacetCounts, FacetValue, Matching, Suggestions, DocumentSuggestion,
        TermSuggestion, SimilarResponse, Recommendations, Recommendation, Reasons, Label, Link, DocumentRef, RegionMode, PageBody, Inspection, AnalyzedToken, Origin, IngestReport, ProblemBody,
        JobStatus, JobState, DeleteRequest, DeleteReport, SnapshotReport,
        Problem, Kind, Language, Phase, Region, TargetGroup, Theme
    ))
)]
pub struct ApiDoc;

/// The bearer key that write endpoints require.
struct AdminKey;

impl utoipa::Modify for AdminKey {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `X-Request-Id` on every operation: an optional request header, always in the response.
struct RequestIds;

impl utoipa::Modify for RequestIds {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Required, Type};
        let id = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(super::observe::MAX_REQUEST_ID))
            .pattern(Some("^[!-~]+$"))
            .description(Some(
                "A request's id: the caller's `X-Request-Id` when it is 1-128 visible ASCII \
                 characters, else a new one. Every response has it in `X-Request-Id`, every \
                 problem body in `request_id`, and the access log line of the request.",
            ));
        api.components
            .get_or_insert_with(Default::default)
            .schemas
            .insert("RequestId".into(), id.into());
        let parameter = ParameterBuilder::new()
            .name("X-Request-Id")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .schema(Some(Ref::from_schema_name("RequestId")))
            .build();
        let header = HeaderBuilder::new()
            .schema(Ref::from_schema_name("RequestId"))
            .build();
        for item in api.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(parameter.clone());
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response
                            .headers
                            .insert("X-Request-Id".into(), header.clone());
                    }
                }
            }
        }
    }
}

/// The OpenAPI document as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes")
}

/// Parameters of `GET /v1/search`. Facet parameters may repeat or hold comma-separated
/// values; values of one facet combine with OR, different facets with AND.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// The query: words, "quoted phrases", -exclusions, OR. Never a syntax error.
    q: Option<String>,
    /// How many of the query's words a hit must match: `all`; `most` (default: every word,
    /// and when that finds less than a page, documents matching most of them follow, ranked
    /// by how many they match, with `relaxed` and each hit's `missing` naming the words left
    /// out); or `any`. Function words (ja, och, at…) are never required.
    #[param(rename = "match")]
    matching: Option<Matching>,
    /// Hits per page, 1-100 (default 10).
    limit: Option<u32>,
    /// Hits to skip, 0-10000 (default 0).
    offset: Option<u32>,
    /// `relevance` (default for a query), `newest` (default without one) or `title`.
    sort: Option<String>,
    /// Match the last word as a prefix while it is being typed (default true).
    prefix: Option<bool>,
    /// Values returned per facet, 0-1000 (default 30): the most frequent, and every selected
    /// value besides. 0 returns no facets (and skips counting them).
    facet_limit: Option<u32>,
    /// The reader's language: fi, sv or en. Ranked by relevance, documents in it come before
    /// matches about as good in other languages (their score is multiplied by 1.5). It
    /// filters nothing: `language` does.
    lang: Option<Language>,
    /// Kinds: practice, project, network.
    kind: Option<Vec<Kind>>,
    /// Region ids.
    region: Option<Vec<Region>>,
    /// Theme ids.
    theme: Option<Vec<Theme>>,
    /// Target group ids.
    target_group: Option<Vec<TargetGroup>>,
    /// Practice phases.
    phase: Option<Vec<Phase>>,
    /// Document languages.
    language: Option<Vec<Language>>,
    /// Organisation names, exactly as in the facet counts.
    organisation: Option<Vec<String>>,
    /// Funding programmes, exactly as in the facet counts.
    programme: Option<Vec<String>>,
    /// Years (publication year; for projects every year they ran).
    year: Option<Vec<u16>>,
    /// Published on or after this date (YYYY-MM-DD); `created_to` likewise.
    created_from: Option<String>,
    /// Published on or before this date.
    created_to: Option<String>,
    /// Changed on or after this date.
    updated_from: Option<String>,
    /// Changed on or before this date.
    updated_to: Option<String>,
    /// Projects starting on or after this date.
    start_from: Option<String>,
    /// Projects starting on or before this date.
    start_to: Option<String>,
    /// Projects ending on or after this date.
    end_from: Option<String>,
    /// Projects ending on or before this date.
    end_to: Option<String>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SuggestParams {
    /// The query as typed so far.
    q: Option<String>,
    /// Suggestions of each kind, 1-20 (default 5).
    limit: Option<u32>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarParams {
    /// Only these kinds (repeat or comma-separate).
    kind: Option<Vec<Kind>>,
    /// Only documents in these regions (repeat or comma-separate).
    region: Option<Vec<Region>>,
    /// How the source's own regions count: any (default), other (only other regions) or
    /// mine_first.
    region_mode: Option<RegionMode>,
    /// Only documents in these languages (repeat or comma-separate).
    language: Option<Vec<Language>>,
    /// Language of labels in reasons: fi (default), sv or en.
    lang: Option<Language>,
    /// How many, 1-20 (default 5).
    limit: Option<u32>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct PageParams {
    /// The page's text (at most 20000 characters).
    text: Option<String>,
    /// The text's language; detected when absent.
    text_language: Option<Language>,
    /// Themes of the page (repeat or comma-separate).
    theme: Option<Vec<Theme>>,
    /// Target groups of the page (repeat or comma-separate).
    target_group: Option<Vec<TargetGroup>>,
    /// Regions the page is about, for `region_mode`.
    home_region: Option<Vec<Region>>,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct AnalyzeParams {
    /// The text to analyse (at most 10000 characters).
    text: String,
    /// Its language: fi (default), sv or en.
    lang: Option<Language>,
}

/// Search documents, with facet counts, snippets and paging.
#[utoipa::path(get, path = "/v1/search", params(SearchParams), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "Results", body = SearchResponse),
    (status = 400, description = "A parameter is invalid; `param` names it", body = ProblemBody, content_type = "application/problem+json"),
))]
fn search_doc() {}

/// Autocomplete: documents and completions of the last word.
#[utoipa::path(get, path = "/v1/suggest", params(SuggestParams), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "Suggestions", body = Suggestions),
    (status = 400, description = "A parameter is invalid", body = ProblemBody, content_type = "application/problem+json"),
))]
fn suggest_doc() {}

/// One document as stored (see the JSON Schemas in `schemas/`).
#[utoipa::path(get, path = "/v1/documents/{id}", params(("id" = String, Path, description = "Document id")), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "The document", body = Object),
    (status = 404, description = "No such document", body = ProblemBody, content_type = "application/problem+json"),
))]
fn document_doc() {}

/// Documents similar to one, each with its reasons; the document's translations apart.
/// Responses carry an `ETag`; a request with a current `If-None-Match` gets 304.
#[utoipa::path(get, path = "/v1/documents/{id}/similar", params(("id" = String, Path, description = "Document id"), SimilarParams), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "Recommendations", body = SimilarResponse),
    (status = 304, description = "The copy named by `If-None-Match` is current"),
    (status = 400, description = "A parameter is invalid", body = ProblemBody, content_type = "application/problem+json"),
    (status = 404, description = "No such document", body = ProblemBody, content_type = "application/problem+json"),
))]
fn similar_doc() {}

/// Documents similar to a page outside Innohaku, described by text and/or facets.
#[utoipa::path(get, path = "/v1/similar", params(PageParams, SimilarParams), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "Recommendations", body = SimilarResponse),
    (status = 304, description = "The copy named by `If-None-Match` is current"),
    (status = 400, description = "A parameter is invalid, or the page is empty", body = ProblemBody, content_type = "application/problem+json"),
))]
fn similar_page_doc() {}

/// The same as `GET /v1/similar`, with the parameters in a JSON body.
#[utoipa::path(post, path = "/v1/similar", request_body = PageBody, responses(
    (status = 413, description = "The body is larger than 128 KiB", body = ProblemBody, content_type = "application/problem+json"),
    (status = 415, description = "The body is not `application/json`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "Recommendations", body = SimilarResponse),
    (status = 400, description = "The body is invalid, or the page is empty", body = ProblemBody, content_type = "application/problem+json"),
))]
fn similar_body_doc() {}

/// How a text is analysed into index terms, with each term's origin.
#[utoipa::path(get, path = "/v1/analyze", params(AnalyzeParams), responses(
    (status = 429, description = "The client is over its rate (when a rate limit is configured); see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 503, description = "The service is busy or the request took too long; see `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
    (status = 200, description = "The analysis", body = Inspection),
    (status = 400, description = "A parameter is invalid", body = ProblemBody, content_type = "application/problem+json"),
))]
fn analyze_doc() {}

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
struct IngestParams {
    /// Store all or nothing: with any invalid line, nothing is stored and the answer is 422.
    atomic: Option<bool>,
}

/// Add or update documents: NDJSON (one document per line, streamed) or a JSON array
/// (`Content-Type: application/json`; errors then give the element's position as `line`).
/// Upsert by id; a write older than the stored version (`updated_at`) is ignored. Needs the
/// admin key.
#[utoipa::path(post, path = "/v1/documents", params(IngestParams),
    request_body(content = String, content_type = "application/x-ndjson"),
    security(("admin_key" = [])),
    responses(
        (status = 507, description = "The disk is full: not acknowledged, some of it may be stored; send it again after `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 408, description = "The body stalled for longer than the body timeout", body = ProblemBody, content_type = "application/problem+json"),
        (status = 200, description = "What happened to each line", body = IngestReport),
        (status = 400, description = "The body could not be read", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "With atomic=true: documents were rejected and nothing was stored", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Body too large, or more documents than the batch limit in an atomic or JSON-array request", body = ProblemBody, content_type = "application/problem+json"),
))]
fn ingest_doc() {}

/// Add or replace one document (JSON). Needs the admin key.
#[utoipa::path(put, path = "/v1/documents/{id}", params(("id" = String, Path, description = "Document id")),
    request_body(content = Object, content_type = "application/json"), security(("admin_key" = [])),
    responses(
        (status = 507, description = "The disk is full: not acknowledged, some of it may be stored; send it again after `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 408, description = "The body stalled for longer than the body timeout", body = ProblemBody, content_type = "application/problem+json"),
        (status = 200, description = "What happened", body = IngestReport),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The document is invalid, or its id differs from the path", body = ProblemBody, content_type = "application/problem+json"),
))]
fn put_doc() {}

/// Delete one document. Needs the admin key.
#[utoipa::path(delete, path = "/v1/documents/{id}", params(("id" = String, Path, description = "Document id")), security(("admin_key" = [])),
    responses(
        (status = 204, description = "Deleted, and gone from search results"),
        (status = 202, description = "Deleted durably, but the index could not be updated yet (the disk is full): still found until it can be", body = DeleteReport),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = ProblemBody, content_type = "application/problem+json"),
))]
fn delete_doc() {}

/// Delete documents by id. Needs the admin key.
#[utoipa::path(post, path = "/v1/documents/delete", request_body = DeleteRequest, security(("admin_key" = [])),
    responses(
        (status = 507, description = "The disk is full: not acknowledged, some of it may be stored; send it again after `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 408, description = "The body stalled for longer than the body timeout", body = ProblemBody, content_type = "application/problem+json"),
        (status = 200, description = "What was deleted", body = DeleteReport),
        (status = 400, description = "The body is not `{\"ids\": [...]}` of valid ids", body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
))]
fn bulk_delete_doc() {}

/// Start a full reindex from the store: a new index is built while the old one serves, then
/// swapped in atomically. Needs the admin key.
#[utoipa::path(post, path = "/v1/jobs/reindex", security(("admin_key" = [])),
    responses(
        (status = 202, description = "Started; `Location` is the job", body = JobStatus),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "A reindex is already running", body = ProblemBody, content_type = "application/problem+json"),
))]
fn reindex_doc() {}

/// Take a snapshot of the store and the serving index to the server's snapshot location
/// (`--snapshot-to`), with a checksum manifest written last. Searches go on meanwhile;
/// writes wait while the store is read. Needs the admin key.
#[utoipa::path(post, path = "/v1/snapshots", security(("admin_key" = [])),
    responses(
        (status = 201, description = "Taken", body = SnapshotReport),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, the write API is off, or this server is a read-only replica", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "No snapshot location is configured", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "The snapshot location could not be written; retry after the seconds in `Retry-After`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 507, description = "The disk holding the data directory is full", body = ProblemBody, content_type = "application/problem+json"),
))]
fn snapshot_doc() {}

/// Every job, oldest first. Needs the admin key.
#[utoipa::path(get, path = "/v1/jobs", security(("admin_key" = [])),
    responses(
        (status = 200, description = "Jobs", body = Vec<JobStatus>),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
))]
fn jobs_doc() {}

/// A job's status and progress. Needs the admin key.
#[utoipa::path(get, path = "/v1/jobs/{id}", params(("id" = String, Path, description = "Job id")), security(("admin_key" = [])),
    responses(
        (status = 200, description = "The job", body = JobStatus),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = ProblemBody, content_type = "application/problem+json"),
))]
fn job_doc() {}

/// Cancel a running job; the old index keeps serving. Needs the admin key.
#[utoipa::path(delete, path = "/v1/jobs/{id}", params(("id" = String, Path, description = "Job id")), security(("admin_key" = [])),
    responses(
        (status = 202, description = "Asked to stop", body = JobStatus),
        (status = 401, description = "No API key", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Wrong API key, or the write API is off", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = ProblemBody, content_type = "application/problem+json"),
))]
fn cancel_job_doc() {}

/// The controlled vocabularies with Finnish, Swedish and English labels.
#[utoipa::path(get, path = "/v1/vocabulary", responses((status = 200, description = "Vocabularies", body = Object)))]
fn vocabulary_doc() {}

/// Liveness.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The process is up", body = Object)))]
fn healthz_doc() {}

/// Readiness: the index is open; says which analyzer is active and, on a replica, which
/// snapshot it serves. Not ready (503) while the index is being opened or built at start,
/// while a restore replaces the data, or on a replica until its first snapshot is in: a load
/// balancer sends no searches then.
#[utoipa::path(get, path = "/readyz", responses(
    (status = 200, description = "Ready", body = Object),
    (status = 503, description = "Not ready: the problem's `detail` says why", body = ProblemBody, content_type = "application/problem+json"),
))]
fn readyz_doc() {}

/// Prometheus metrics in the text exposition format: requests by route and status, latency
/// histograms, search latency by shape, shed and rate-limited requests, documents by kind,
/// index generation and size, store size, ingestion and reindex counters, cache look-ups,
/// build info (docs/configuration.md lists them). Read with the admin key or the metrics key
/// (`INNOHAKU_METRICS_KEY_FILE`), which reads nothing else; off when neither is configured.
#[utoipa::path(get, path = "/metrics", security(("admin_key" = [])), responses(
    (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String),
    (status = 401, description = "No key given", body = ProblemBody, content_type = "application/problem+json"),
    (status = 403, description = "Wrong key, or metrics off", body = ProblemBody, content_type = "application/problem+json"),
))]
fn metrics_doc() {}
