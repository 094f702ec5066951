//! The preview's HTTP transport (`stagebook serve`): HTTP/1.1 on a loopback socket, bounded so a
//! web page next to the preview cannot exhaust the machine through it.
//!
//! - A request head (request line and headers) larger than [`MAX_HEAD`] bytes or with more than
//!   [`MAX_HEADERS`] headers gets `431` and the connection is closed; a target longer than
//!   [`MAX_TARGET`] gets `414`.
//! - A head must arrive within [`Limits::read_timeout`] of the connection opening (or of the
//!   previous answer on a kept-alive connection), else the connection is closed; a client that
//!   stops reading an answer is dropped after [`Limits::write_timeout`].
//! - A method other than `GET`/`HEAD` gets `405`, a request carrying a body `413`; both are
//!   answered from the head alone, without reading the body, and the connection is closed.
//! - Every connection is a task on one thread (hyper on a current-thread tokio runtime), so
//!   waiting connections cost memory, not threads; past [`Limits::max_connections`] a new
//!   connection gets `503` and is closed at once.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;

/// Largest request head (request line and headers), in bytes.
pub(crate) const MAX_HEAD: usize = 32 * 1024;

/// Most headers in one request.
pub(crate) const MAX_HEADERS: usize = 100;

/// Longest request target (path and query), in bytes.
pub(crate) const MAX_TARGET: usize = 8 * 1024;

/// How long the server waits on a client, and how many clients it holds at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Time to receive a request head.
    pub(crate) read_timeout: Duration,
    /// Time a client may take to accept the bytes of an answer.
    pub(crate) write_timeout: Duration,
    /// Connections held at once; more get `503`.
    pub(crate) max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 512,
        }
    }
}

/// What the application sees of a request: a `GET` or `HEAD` without a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// The path, as sent (`/`, `/checklists.html`).
    pub(crate) path: String,
    /// The query string without `?` (empty when there is none).
    pub(crate) query: String,
    /// The `Host` header, lowercased, when there is exactly one readable one.
    pub(crate) host: Option<String>,
}

/// An answer: a status, a content type and a body (never cached by the browser).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Response {
    status: u16,
    content_type: &'static str,
    body: String,
    close: bool,
}

impl Response {
    /// A plain-text answer.
    pub(crate) fn text(status: u16, text: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: text.to_string(),
            close: false,
        }
    }

    /// A `200` HTML page.
    pub(crate) fn html(html: String) -> Self {
        Self {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: html,
            close: false,
        }
    }

    /// The same answer, then the connection is closed.
    fn closing(mut self) -> Self {
        self.close = true;
        self
    }

    fn into_hyper(self) -> hyper::Response<Full<Bytes>> {
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if self.status == 405 {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        }
        if self.close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// Answers connections on `listener` with `handler` until accepting fails for good. Runs on the
/// calling thread.
pub(crate) fn serve<H, F>(listener: TcpListener, limits: Limits, handler: H) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(accept_loop(listener, limits, Arc::new(handler)))
}

async fn accept_loop<H, F>(listener: TcpListener, limits: Limits, handler: Arc<H>) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.read_timeout)
        .max_buf_size(MAX_HEAD)
        .max_header_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    loop {
        // Out of file descriptors or a connection reset before it was accepted: wait a little
        // rather than spin, and keep serving.
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            // Best effort, never waiting: the client is told to come back, and the socket closes.
            let _ = stream.try_write(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 18\r\nconnection: close\r\n\r\ntoo many requests\n",
            );
            continue;
        };
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_timeout));
        let io = TokioIo::new(Box::pin(stream));
        let handler = Arc::clone(&handler);
        let service = hyper::service::service_fn(move |request| {
            let handler = Arc::clone(&handler);
            async move { Ok::<_, Infallible>(answer(request, &*handler).await.into_hyper()) }
        });
        let connection = http.serve_connection(io, service);
        tokio::spawn(async move {
            // A client hanging up or timing out is its own business, not the server's.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// Rejects what the preview never needs from the head alone, then asks `handler`.
async fn answer<H, F>(request: hyper::Request<Incoming>, handler: &H) -> Response
where
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    if let Some(rejected) = reject(request.method(), request.headers()) {
        return rejected.closing();
    }
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    if target.len() > MAX_TARGET {
        return Response::text(414, "the address is too long").closing();
    }
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().ok().map(str::to_ascii_lowercase),
        _ => None,
    };
    let request = Request {
        path: request.uri().path().to_string(),
        query: request.uri().query().unwrap_or_default().to_string(),
        host,
    };
    handler(request).await
}

/// `405` for a method other than `GET`/`HEAD`, `413` for a request that announces a body.
fn reject(method: &Method, headers: &hyper::HeaderMap) -> Option<Response> {
    if method != Method::GET && method != Method::HEAD {
        return Some(Response::text(405, "only GET and HEAD"));
    }
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get_all(header::CONTENT_LENGTH)
            .iter()
            .any(|length| length.as_bytes() != b"0");
    has_body.then(|| Response::text(413, "requests to the preview carry no body"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> hyper::HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn only_bodiless_gets_and_heads_pass() {
        assert_eq!(reject(&Method::GET, &headers(&[])), None);
        assert_eq!(
            reject(&Method::HEAD, &headers(&[("content-length", "0")])),
            None
        );
        assert_eq!(reject(&Method::POST, &headers(&[])).unwrap().status, 405);
        assert_eq!(reject(&Method::OPTIONS, &headers(&[])).unwrap().status, 405);
        let body = headers(&[("content-length", "2147483647")]);
        assert_eq!(reject(&Method::GET, &body).unwrap().status, 413);
        let chunked = headers(&[("transfer-encoding", "chunked")]);
        assert_eq!(reject(&Method::GET, &chunked).unwrap().status, 413);
    }

    #[test]
    fn a_rejection_closes_the_connection_and_names_the_allowed_methods() {
        let response = Response::text(405, "only GET and HEAD")
            .closing()
            .into_hyper();
        assert_eq!(response.headers()[header::CONNECTION], "close");
        assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
