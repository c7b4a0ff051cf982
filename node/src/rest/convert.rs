//! Proto-JSON both ways, as the Cosmos SDK's gRPC-gateway does it: requests from path
//! parameters and query strings (`pagination.limit=5`, repeated keys for repeated fields) or from
//! a JSON body, responses as JSON with the proto field names, every non-message field written
//! (defaults too), 64-bit integers as strings, enums by name, bytes in base64 and `Any` with
//! `@type`. Every conversion runs over the node's descriptor set ([`super::pool`]).

use base64::Engine;
use prost::Message;
use prost_reflect::{
    DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, ReflectMessage,
    SerializeOptions, Value,
};
use tonic::Status;

/// A request message built from `params` (path parameters, decoded) and the URL's `query`
/// string. Query keys that name no field are ignored, as the gateway does; a value that does not
/// parse as its field's type is `INVALID_ARGUMENT`.
pub fn request_from_query(
    input: &MessageDescriptor,
    params: &[(&str, String)],
    query: Option<&str>,
) -> Result<DynamicMessage, Status> {
    let mut message = DynamicMessage::new(input.clone());
    apply(&mut message, params, query)?;
    Ok(message)
}

/// Sets the fields of `message` named by `params` and then by the `query` string's keys.
pub fn apply(
    message: &mut DynamicMessage,
    params: &[(&str, String)],
    query: Option<&str>,
) -> Result<(), Status> {
    for (field, value) in params {
        set_path(message, field, value)?;
    }
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        set_path(message, &key, &value)?;
    }
    Ok(())
}

/// A request message from a JSON `body` (proto or JSON field names; unknown fields ignored).
pub fn request_from_json(input: &MessageDescriptor, body: &[u8]) -> Result<DynamicMessage, Status> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let options = DeserializeOptions::new().deny_unknown_fields(false);
    let message =
        DynamicMessage::deserialize_with_options(input.clone(), &mut deserializer, &options)
            .and_then(|message| deserializer.end().map(|()| message))
            .map_err(|e| {
                Status::invalid_argument(format!("invalid {} JSON: {e}", input.full_name()))
            })?;
    Ok(message)
}

/// The protobuf `bytes` of a `output` answer as gateway JSON.
pub fn response_json(output: &MessageDescriptor, bytes: &[u8]) -> Result<Vec<u8>, Status> {
    let message = DynamicMessage::decode(output.clone(), bytes).map_err(|e| {
        Status::internal(format!(
            "cannot decode the {} answer: {e}",
            output.full_name()
        ))
    })?;
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false);
    let mut json = Vec::new();
    message
        .serialize_with_options(&mut serde_json::Serializer::new(&mut json), &options)
        .map_err(|e| {
            Status::internal(format!(
                "cannot write the {} answer as JSON: {e}",
                output.full_name()
            ))
        })?;
    Ok(json)
}

/// The request's protobuf bytes.
pub fn encode(message: &DynamicMessage) -> Vec<u8> {
    message.encode_to_vec()
}

/// Sets the (possibly nested, `a.b.c`) field `path` of `message` from its text `value`.
fn set_path(message: &mut DynamicMessage, path: &str, value: &str) -> Result<(), Status> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let descriptor = message.descriptor();
    let Some(field) = descriptor
        .get_field_by_name(head)
        .or_else(|| descriptor.get_field_by_json_name(head))
    else {
        return Ok(());
    };
    match (rest, field.kind()) {
        (Some(rest), Kind::Message(_)) if !field.is_list() && !field.is_map() => {
            match message.get_field_mut(&field) {
                Value::Message(inner) => set_path(inner, rest, value),
                _ => Ok(()),
            }
        }
        (Some(_), _) => Ok(()),
        (None, _) if field.is_map() => {
            Err(invalid(&field, value, "maps cannot be query parameters"))
        }
        (None, kind) => {
            let parsed = scalar(&field, &kind, value)?;
            if field.is_list() {
                if let Value::List(list) = message.get_field_mut(&field) {
                    list.push(parsed);
                }
            } else {
                message.set_field(&field, parsed);
            }
            Ok(())
        }
    }
}

/// Parses `text` as a value of `field`'s scalar `kind`.
fn scalar(field: &FieldDescriptor, kind: &Kind, text: &str) -> Result<Value, Status> {
    let fail = |e: &dyn std::fmt::Display| invalid(field, text, e);
    Ok(match kind {
        Kind::String => Value::String(text.to_owned()),
        Kind::Bool => Value::Bool(text.parse().map_err(|e| fail(&e))?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            Value::I32(text.parse().map_err(|e| fail(&e))?)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            Value::I64(text.parse().map_err(|e| fail(&e))?)
        }
        Kind::Uint32 | Kind::Fixed32 => Value::U32(text.parse().map_err(|e| fail(&e))?),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(text.parse().map_err(|e| fail(&e))?),
        Kind::Float => Value::F32(text.parse().map_err(|e| fail(&e))?),
        Kind::Double => Value::F64(text.parse().map_err(|e| fail(&e))?),
        Kind::Bytes => Value::Bytes(base64_any(text).map_err(|e| fail(&e))?.into()),
        Kind::Enum(enumeration) => {
            let number = match enumeration.get_value_by_name(text) {
                Some(value) => value.number(),
                None => text
                    .parse::<i32>()
                    .ok()
                    .filter(|n| enumeration.get_value(*n).is_some())
                    .ok_or_else(|| fail(&format!("not a value of {}", enumeration.full_name())))?,
            };
            Value::EnumNumber(number)
        }
        Kind::Message(_) => return Err(fail(&"a message cannot be one query parameter")),
    })
}

/// Decodes standard or URL-safe base64, padded or not; a `+` that a query string turned into a
/// space counts as `+`.
fn base64_any(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let text = text.replace(' ', "+");
    let trimmed = text.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
}

fn invalid(field: &FieldDescriptor, text: &str, reason: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!(
        "invalid value {text:?} for {}: {reason}",
        field.full_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn descriptor(name: &str) -> MessageDescriptor {
        super::super::pool()
            .expect("pool")
            .get_message_by_name(name)
            .expect(name)
    }

    #[test]
    fn query_strings_fill_nested_repeated_and_enum_fields() {
        let input = descriptor("cosmos.staking.v1beta1.QueryValidatorsRequest");
        let message = request_from_query(
            &input,
            &[("status", "BOND_STATUS_BONDED".to_string())],
            Some("pagination.limit=2&pagination.count_total=true&pagination.key=AQI%2B&pagination.reverse=1x&unknown=3"),
        );
        let err = message.expect_err("reverse is not a bool");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert!(err.message().contains("reverse"), "{err:?}");

        let message = request_from_query(
            &input,
            &[],
            Some("status=BOND_STATUS_BONDED&pagination.limit=2&pagination.count_total=true&pagination.key=AQI+&pagination.offset=1"),
        )
        .expect("valid");
        let json = String::from_utf8(response_json(&input, &encode(&message)).expect("json"))
            .expect("utf-8");
        assert!(json.contains(r#""status":"BOND_STATUS_BONDED""#), "{json}");
        assert!(json.contains(r#""limit":"2""#), "{json}");
        assert!(json.contains(r#""offset":"1""#), "{json}");
        assert!(json.contains(r#""count_total":true"#), "{json}");
        assert!(json.contains(r#""key":"AQI+""#), "{json}");

        let input = descriptor("cosmos.tx.v1beta1.GetTxsEventRequest");
        let message = request_from_query(
            &input,
            &[],
            Some("events=a.b%3D%271%27&events=c.d%3D2&order_by=2"),
        )
        .expect("repeated");
        let json = String::from_utf8(response_json(&input, &encode(&message)).expect("json"))
            .expect("utf-8");
        assert!(json.contains(r#""events":["a.b='1'","c.d=2"]"#), "{json}");
        assert!(json.contains(r#""order_by":"ORDER_BY_DESC""#), "{json}");
        let err = request_from_query(&input, &[], Some("order_by=ORDER_BY_SIDEWAYS"))
            .expect_err("not an OrderBy");
        assert!(err.message().contains("OrderBy"), "{err:?}");
    }

    #[test]
    fn bodies_must_be_json_of_the_request_type() {
        let input = descriptor("cosmos.tx.v1beta1.BroadcastTxRequest");
        let message = request_from_json(
            &input,
            br#"{"tx_bytes":"AQID","mode":"BROADCAST_MODE_SYNC","extra":1}"#,
        )
        .expect("valid");
        assert_eq!(encode(&message), vec![0x0a, 3, 1, 2, 3, 0x10, 2]);
        for bad in [&b"{"[..], b"[]", br#"{"tx_bytes":"***"}"#] {
            let err = request_from_json(&input, bad).expect_err("bad body");
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{err:?}");
        }
        assert!(request_from_json(&input, b"  ").is_ok());
    }
}
