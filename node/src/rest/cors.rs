//! Cross-origin access to the REST API (wallet extensions and browser explorers call it from
//! their own origins): any origin (`enabled-unsafe-cors = true`, as in the Cosmos SDK), the
//! listed origins (`cors-allowed-origins`), or none.

use axum::body::Body;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};

/// Which origins may read answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// Every origin (`Access-Control-Allow-Origin: *`).
    pub any: bool,
    /// These exact origins (`https://wallet.example`), echoed back when they ask.
    pub origins: Vec<String>,
}

/// How long a browser may cache a preflight answer, in seconds.
const MAX_AGE: &str = "600";

impl Cors {
    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    fn allow(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        if self.any {
            return Some(HeaderValue::from_static("*"));
        }
        let origin = origin?;
        let text = origin.to_str().ok()?;
        self.origins
            .iter()
            .any(|allowed| allowed == text)
            .then(|| origin.clone())
    }

    /// Adds the CORS headers for a request from `origin` to an answer's `headers`.
    pub fn decorate(&self, origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        if !self.any && !self.origins.is_empty() {
            headers.insert(header::VARY, HeaderValue::from_static("origin"));
        }
        if let Some(allowed) = self.allow(origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        }
    }

    /// The answer to an `OPTIONS` preflight with request `headers`: 204 with the allowed methods
    /// and headers when the origin is allowed, 403 otherwise.
    pub fn preflight(&self, headers: &HeaderMap) -> Response<Body> {
        let mut response = Response::new(Body::empty());
        if self.allow(headers.get(header::ORIGIN)).is_none() {
            *response.status_mut() = StatusCode::FORBIDDEN;
            return response;
        }
        *response.status_mut() = StatusCode::NO_CONTENT;
        let out = response.headers_mut();
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        let requested = headers
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("content-type"));
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_from(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_str(origin).expect("origin"),
        );
        headers
    }

    #[test]
    fn only_allowed_origins_get_headers() {
        let wallet = "chrome-extension://wallet";
        let listed = Cors {
            any: false,
            origins: vec![wallet.into()],
        };
        let mut out = HeaderMap::new();
        listed.decorate(request_from(wallet).get(header::ORIGIN), &mut out);
        assert_eq!(out[header::ACCESS_CONTROL_ALLOW_ORIGIN], wallet);
        let mut out = HeaderMap::new();
        listed.decorate(
            request_from("https://evil.example").get(header::ORIGIN),
            &mut out,
        );
        assert!(out.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(
            listed
                .preflight(&request_from("https://evil.example"))
                .status(),
            StatusCode::FORBIDDEN
        );
        let preflight = listed.preflight(&request_from(wallet));
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert!(preflight.headers()[header::ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .is_ok_and(|m| m.contains("POST")));

        let any = Cors {
            any: true,
            origins: Vec::new(),
        };
        let mut out = HeaderMap::new();
        any.decorate(None, &mut out);
        assert_eq!(out[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let mut out = HeaderMap::new();
        Cors::default().decorate(request_from(wallet).get(header::ORIGIN), &mut out);
        assert!(out.is_empty());
    }
}
