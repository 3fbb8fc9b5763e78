//! What several front ends share, so that none imports another: the typed details of
//! settings written in the Lambda API's own shape (CloudFormation properties and exported
//! account state both use it).

use crate::model::{Poll, SourceAccess};
use crate::source::Spanned;
use crate::syntax::node::Node;

/// The details of an event source mapping written in the Lambda API's shape
/// (`SourceAccessConfigurations`, `DestinationConfig.OnFailure.Destination`): a SAM event's or
/// an `AWS::Lambda::EventSourceMapping`'s resolved properties, an exported mapping.
pub fn poll_of(props: Option<&Node>) -> Poll {
    let Some(props) = props else {
        return Poll::default();
    };
    let access = props
        .get("SourceAccessConfigurations")
        .map(|configs| {
            configs
                .items()
                .map(|c| SourceAccess {
                    kind: c.get("Type").and_then(Node::as_str).map(str::to_string),
                    uri: c.get("URI").and_then(Node::scalar_text),
                })
                .collect()
        })
        .unwrap_or_default();
    let on_failure = props
        .get("DestinationConfig")
        .and_then(|d| d.get("OnFailure"))
        .and_then(|o| o.get("Destination"))
        .and_then(|d| Some(Spanned::new(d.as_str()?.to_string(), d.span)));
    Poll { access, on_failure }
}
