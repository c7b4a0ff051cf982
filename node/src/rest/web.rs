//! The live web view of shared security (app.toml `[api] web = true`): one static page, its
//! script and its style sheet, compiled into the binary (no CDN, no framework) and served by the
//! REST server itself at `/` and `/web/`. The script reads only this server's public REST
//! queries (same origin, so no CORS setting is needed), refreshes every few seconds and says so
//! on the page when the node is down or behind.

use axum::response::{Html, IntoResponse};
use axum::routing::get;
use http::header;

/// The page.
const INDEX: &str = include_str!("web/index.html");
/// Its script.
const SCRIPT: &str = include_str!("web/app.js");
/// Its style sheet.
const STYLE: &str = include_str!("web/style.css");

/// The page's routes, to merge into the REST router.
pub fn router() -> axum::Router {
    axum::Router::new()
        .route("/", get(index))
        .route("/web", get(index))
        .route("/web/", get(index))
        .route("/web/app.js", get(script))
        .route("/web/style.css", get(style))
}

/// `GET /` and `GET /web/`.
async fn index() -> Html<&'static str> {
    Html(INDEX)
}

/// `GET /web/app.js`.
async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

/// `GET /web/style.css`.
async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{header, Request, StatusCode};
    use tower::ServiceExt;

    /// The status, content type and body of `GET uri` on the page's routes.
    async fn get(uri: &str) -> (StatusCode, String, String) {
        let request = Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let response = super::router().oneshot(request).await.expect("infallible");
        let kind = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .to_owned();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (
            status,
            kind,
            String::from_utf8(bytes.to_vec()).expect("utf-8"),
        )
    }

    #[tokio::test]
    async fn the_page_and_the_files_it_links_are_served_from_the_binary() {
        for uri in ["/", "/web/"] {
            let (status, kind, page) = get(uri).await;
            assert_eq!(status, StatusCode::OK);
            assert!(kind.starts_with("text/html"), "{kind}");
            assert!(page.contains(r#"src="/web/app.js""#), "{page}");
            assert!(page.contains(r#"href="/web/style.css""#), "{page}");
            // Offline: nothing is loaded from another host.
            assert!(!page.contains("http"), "{page}");
        }
        let (status, kind, script) = get("/web/app.js").await;
        assert_eq!(status, StatusCode::OK);
        assert!(kind.starts_with("text/javascript"), "{kind}");
        assert!(script.contains("/rampart/restaking/v1/security_report/"));
        let (_, kind, _) = get("/web/style.css").await;
        assert!(kind.starts_with("text/css"), "{kind}");
    }
}
