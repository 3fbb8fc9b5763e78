//! ARNs (`arn:partition:service:region:account:resource`), parsed once with nom. Deploy-time
//! values stay opaque tokens: `${AWS::Region}`, `${Queue.Arn}` or an unresolved Terraform
//! reference is one token, and a `:` inside it never separates fields. An unresolved value
//! known to be a whole ARN (`${aws_sqs_queue.q.arn}`, `${module.x.state_machine_arn}`) is an
//! [`Arn`] too, with no fields. [`Arn`]'s `Display` gives back the input text exactly.

use std::fmt;

use nom::branch::alt;
use nom::bytes::complete::{is_not, tag};
use nom::character::complete::char;
use nom::combinator::{all_consuming, recognize, rest};
use nom::multi::many0;
use nom::sequence::terminated;
use nom::{IResult, Parser};

/// Services whose resource is the bare name, with no `type/` or `type:` prefix.
const UNTYPED: &[&str] = &["s3", "sqs", "sns"];

/// A parsed ARN, borrowing the text it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Arn<'a> {
    text: &'a str,
    fields: Option<[Part<'a>; 5]>,
}

/// One field of an ARN (or a piece of one): literal text, tokens, or a mix of both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Part<'a>(&'a str);

/// A run of literal text or one `${...}` token (braces included) inside a [`Part`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Token(&'a str),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an ARN (expected arn:partition:service:region:account:resource): {0}")]
pub struct ArnError(pub String);

/// The inside of a `${...}` token: anything with balanced braces, so an unresolved expression
/// such as `${lookup(var.m, "k")}` or `${{a = 1}}` stays one token.
fn balanced(i: &str) -> IResult<&str, &str> {
    let mut depth = 0usize;
    for (at, c) in i.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Ok((&i[at..], &i[..at])),
            '}' => depth -= 1,
            _ => {}
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(
        i,
        nom::error::ErrorKind::TakeUntil,
    )))
}

/// `${...}`; a `$` with no closing brace is literal text.
fn token(i: &str) -> IResult<&str, &str> {
    recognize((tag("${"), balanced, char('}'))).parse(i)
}

fn piece(i: &str) -> IResult<&str, Piece<'_>> {
    alt((
        token.map(Piece::Token),
        is_not("$").map(Piece::Text),
        tag("$").map(Piece::Text),
    ))
    .parse(i)
}

/// One `:`-free field; tokens keep their colons.
fn field(i: &str) -> IResult<&str, &str> {
    recognize(many0(alt((token, is_not(":$"), tag("$"))))).parse(i)
}

fn fields(i: &str) -> IResult<&str, [&str; 5]> {
    let (i, _) = tag("arn:").parse(i)?;
    let (i, partition) = terminated(field, char(':')).parse(i)?;
    let (i, service) = terminated(field, char(':')).parse(i)?;
    let (i, region) = terminated(field, char(':')).parse(i)?;
    let (i, account) = terminated(field, char(':')).parse(i)?;
    let (i, resource) = rest(i)?;
    Ok((i, [partition, service, region, account, resource]))
}

/// Whether a reference's name says it holds an ARN: its last segment is `arn`, ends with
/// `_arn` or `-arn`, or ends with `Arn`/`ARN` in camel case (`${aws_sqs_queue.q.arn}`,
/// `${module.x.state_machine_arn}`, `${Queue.Arn}`, `${Stream.StreamArn}`, `${SecretArn}`).
fn names_an_arn(inner: &str) -> bool {
    let last = inner.rsplit('.').next().unwrap_or(inner);
    last.eq_ignore_ascii_case("arn")
        || last.ends_with("_arn")
        || last.ends_with("-arn")
        || last.ends_with("Arn")
        || last.ends_with("ARN")
}

impl<'a> Arn<'a> {
    /// `arn:partition:service:region:account:resource`, or one token whose name says it
    /// holds an ARN ([`Arn::whole`]).
    pub fn parse(s: &'a str) -> Result<Arn<'a>, ArnError> {
        Arn::parse_with(s, names_an_arn)
    }

    /// Like [`Arn::parse`], for a value that can only be an ARN (an `ArnLike` operand, a
    /// `TopicArn` argument): any single token is a whole ARN.
    pub fn parse_expected(s: &'a str) -> Result<Arn<'a>, ArnError> {
        Arn::parse_with(s, |_| true)
    }

    fn parse_with(s: &'a str, whole: impl Fn(&str) -> bool) -> Result<Arn<'a>, ArnError> {
        if let Ok((_, parts)) = all_consuming(fields).parse(s) {
            return Ok(Arn {
                text: s,
                fields: Some(parts.map(Part)),
            });
        }
        match all_consuming(token).parse(s) {
            Ok((_, t)) if whole(&t[2..t.len() - 1]) => Ok(Arn {
                text: s,
                fields: None,
            }),
            _ => Err(ArnError(s.to_string())),
        }
    }

    /// The text the ARN was parsed from.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// For an unresolved whole ARN (`${aws_sqs_queue.q.arn}`), its token; `None` for an ARN
    /// with fields.
    pub fn whole(&self) -> Option<&'a str> {
        self.fields.is_none().then_some(self.text)
    }

    /// The five fields after `arn:`, `None` for a whole-ARN token.
    pub fn fields(&self) -> Option<[Part<'a>; 5]> {
        self.fields
    }

    pub fn partition(&self) -> Option<Part<'a>> {
        self.fields.map(|f| f[0])
    }
    pub fn service(&self) -> Option<Part<'a>> {
        self.fields.map(|f| f[1])
    }
    pub fn region(&self) -> Option<Part<'a>> {
        self.fields.map(|f| f[2])
    }
    pub fn account(&self) -> Option<Part<'a>> {
        self.fields.map(|f| f[3])
    }
    /// Everything after the account, with its own `:` and `/` (`log-group:/aws/x:*`).
    pub fn resource(&self) -> Option<Part<'a>> {
        self.fields.map(|f| f[4])
    }

    /// The resource split into its type and id at the first `/` or `:` outside tokens
    /// (`table/Orders`, `function:f:live`, `log-group:/aws/x:*`). S3, SQS and SNS ARNs carry
    /// the bare name: no type, the whole resource is the id. `None` when the service's
    /// resource should start with a type and does not.
    fn split_resource(&self) -> Option<(Option<Part<'a>>, Part<'a>)> {
        let resource = self.resource()?;
        if self
            .service()?
            .literal()
            .is_some_and(|s| UNTYPED.contains(&s))
        {
            return Some((None, resource));
        }
        let (ty, id) = resource.split_once(&['/', ':'])?;
        Some((Some(ty), id))
    }

    /// `table` in `table/Orders`; `None` for S3, SQS and SNS, and for a resource with no type.
    pub fn resource_type(&self) -> Option<Part<'a>> {
        self.split_resource()?.0
    }

    /// `Orders` in `table/Orders`, `f:live` in `function:f:live`, the whole resource for S3,
    /// SQS and SNS; `None` when a typed service's resource has no type.
    pub fn resource_id(&self) -> Option<Part<'a>> {
        Some(self.split_resource()?.1)
    }

    /// For a Lambda function ARN (`...:function:<name>[:<qualifier>]`), the function name and
    /// the qualifier (version or alias); the qualifier follows the first `:` outside tokens.
    pub fn function(&self) -> Option<(Part<'a>, Option<Part<'a>>)> {
        if self.resource_type()?.as_str() != "function" {
            return None;
        }
        let id = self.resource_id()?;
        Some(match id.split_once(&[':']) {
            Some((name, qualifier)) => (name, Some(qualifier)),
            None => (id, None),
        })
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

impl<'a> Part<'a> {
    /// Any text read the way an ARN field is: literal runs and `${...}` tokens.
    pub fn new(text: &'a str) -> Part<'a> {
        Part(text)
    }

    pub fn as_str(&self) -> &'a str {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Runs of literal text and `${...}` tokens, in order.
    pub fn pieces(&self) -> impl Iterator<Item = Piece<'a>> + 'a {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let (next, p) = piece(rest).ok()?;
            rest = next;
            Some(p)
        })
    }

    /// The text when the part holds no token (`us-east-1`, `444455556666`).
    pub fn literal(&self) -> Option<&'a str> {
        (!self.pieces().any(|p| matches!(p, Piece::Token(_)))).then_some(self.0)
    }

    /// The part as one token, when it is exactly one (`${AWS::Region}`).
    pub fn token(&self) -> Option<&'a str> {
        let mut pieces = self.pieces();
        match (pieces.next(), pieces.next()) {
            (Some(Piece::Token(t)), None) => Some(t),
            _ => None,
        }
    }

    /// Byte offsets of `seps` outside tokens.
    fn separators(&self, seps: &[char]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = 0;
        for p in self.pieces() {
            match p {
                Piece::Text(t) => out.extend(
                    t.char_indices()
                        .filter(|(_, c)| seps.contains(c))
                        .map(|(i, _)| at + i),
                ),
                Piece::Token(_) => {}
            }
            at += match p {
                Piece::Text(t) | Piece::Token(t) => t.len(),
            };
        }
        out
    }

    /// Splits at the first of `seps` outside tokens.
    pub fn split_once(&self, seps: &[char]) -> Option<(Part<'a>, Part<'a>)> {
        let i = *self.separators(seps).first()?;
        Some((Part(&self.0[..i]), Part(&self.0[i + 1..])))
    }

    /// Splits at the last of `seps` outside tokens.
    pub fn rsplit_once(&self, seps: &[char]) -> Option<(Part<'a>, Part<'a>)> {
        let i = *self.separators(seps).last()?;
        Some((Part(&self.0[..i]), Part(&self.0[i + 1..])))
    }

    /// What follows the last of `seps` outside tokens (`f` in `function:f`), or the whole part.
    pub fn last_segment(&self, seps: &[char]) -> Part<'a> {
        self.rsplit_once(seps).map_or(*self, |(_, last)| last)
    }
}

impl fmt::Display for Part<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A 12-digit account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_name_and_qualifier() {
        let parts = |t: &str| {
            Arn::parse(t)
                .ok()
                .and_then(|a| a.function())
                .map(|(n, q)| (n.to_string(), q.map(|q| q.to_string())))
        };
        assert_eq!(
            parts("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            Some(("f".into(), Some("live".into())))
        );
        assert_eq!(
            parts("arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-f"),
            Some(("${AWS::StackName}-f".into(), None))
        );
        assert_eq!(
            parts("arn:aws:lambda:us-east-1:123456789012:layer:l:3"),
            None
        );
    }

    fn arn(s: &str) -> Arn<'_> {
        match Arn::parse(s) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }
    fn text(p: Option<Part<'_>>) -> Option<&str> {
        p.map(|p| p.as_str())
    }

    #[test]
    fn fields_by_name() {
        let a = arn("arn:aws:sqs:us-east-1:444455556666:orders");
        assert_eq!(text(a.partition()), Some("aws"));
        assert_eq!(text(a.service()), Some("sqs"));
        assert_eq!(text(a.region()), Some("us-east-1"));
        assert_eq!(text(a.account()), Some("444455556666"));
        assert_eq!(text(a.resource()), Some("orders"));
        assert_eq!(text(a.resource_type()), None);
        assert_eq!(text(a.resource_id()), Some("orders"));
        assert_eq!(a.whole(), None);
        let s3 = arn("arn:aws:s3:::bucket/key");
        assert_eq!(text(s3.region()), Some(""));
        assert_eq!(text(s3.account()), Some(""));
        assert_eq!(text(s3.resource_type()), None);
        assert_eq!(text(s3.resource_id()), Some("bucket/key"));
    }

    #[test]
    fn tokens_do_not_split_fields() {
        let a = arn("arn:aws:sqs:${AWS::Region}:444455556666:q");
        assert_eq!(text(a.region()), Some("${AWS::Region}"));
        assert_eq!(a.account().and_then(|p| p.literal()), Some("444455556666"));
        assert_eq!(a.region().and_then(|p| p.literal()), None);
        assert_eq!(a.region().and_then(|p| p.token()), Some("${AWS::Region}"));
        let b =
            arn("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}");
        assert_eq!(text(b.partition()), Some("${AWS::Partition}"));
        assert_eq!(text(b.account()), Some("${AWS::AccountId}"));
        assert_eq!(text(b.resource()), Some("${Queue.QueueName}"));
        let tf = arn("arn:aws:sns:${data.aws_region.current.name}:${lookup(var.m, \"a:b\")}:t");
        assert_eq!(
            text(tf.account()),
            Some("${lookup(var.m, \"a:b\")}"),
            "a `:` inside a token does not split"
        );
    }

    #[test]
    fn resource_type_and_id() {
        let t = arn("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${T}/index/*");
        assert_eq!(text(t.resource_type()), Some("table"));
        assert_eq!(text(t.resource_id()), Some("${T}/index/*"));
        let f = arn("arn:aws:lambda:us-east-1:1:function:f:live");
        assert_eq!(text(f.resource_type()), Some("function"));
        assert_eq!(text(f.resource_id()), Some("f:live"));
        let g = arn("arn:aws:logs:r:1:log-group:/aws/x:*");
        assert_eq!(text(g.resource_type()), Some("log-group"));
        assert_eq!(text(g.resource_id()), Some("/aws/x:*"));
        let p = arn("arn:aws:iam::${AWS::AccountId}:role/${A::B}");
        assert_eq!(text(p.resource_type()), Some("role"));
        assert_eq!(text(p.resource_id()), Some("${A::B}"));
        let k = arn("arn:aws:kms:r:1:${Key}");
        assert_eq!(text(k.resource_type()), None);
        assert_eq!(text(k.resource_id()), None);
    }

    #[test]
    fn whole_arn_tokens() {
        for s in [
            "${aws_sqs_queue.q.arn}",
            "${module.x.state_machine_arn}",
            "${Queue.Arn}",
            "${Stream.StreamArn}",
            "${SecretArn}",
        ] {
            let a = arn(s);
            assert_eq!(a.whole(), Some(s));
            assert_eq!(a.fields(), None);
            assert_eq!(a.account(), None);
            assert_eq!(a.to_string(), s);
        }
        for s in [
            "${Barn}",
            "${aws_sqs_queue.q.url}",
            "${AWS::AccountId}",
            "${a.arn}x",
        ] {
            assert!(Arn::parse(s).is_err(), "{s}");
        }
        assert!(Arn::parse_expected("${Topic}").is_ok_and(|a| a.whole().is_some()));
        assert!(Arn::parse_expected("x${Topic}").is_err());
    }

    #[test]
    fn not_arns() {
        for s in [
            "",
            "*",
            "arn:aws:s3",
            "arn:aws:s3:::",
            "orders",
            "${Unclosed",
        ] {
            let ok = Arn::parse(s).is_ok();
            assert_eq!(ok, s == "arn:aws:s3:::", "{s}");
        }
        // `$` with no brace, and a token never closed, are literal text.
        let a = arn("arn:aws:s3:::a$b${c");
        assert_eq!(text(a.resource()), Some("a$b${c"));
    }

    #[test]
    fn parts_split_outside_tokens() {
        let a = arn("arn:aws:sns:r:1:${A::B}:x/${C:D}");
        let r = a.resource().map(|r| r.last_segment(&[':', '/']));
        assert_eq!(text(r), Some("${C:D}"));
        let pieces: Vec<_> = a
            .resource()
            .map(|r| r.pieces().collect())
            .unwrap_or_default();
        assert_eq!(
            pieces,
            [
                Piece::Token("${A::B}"),
                Piece::Text(":x/"),
                Piece::Token("${C:D}")
            ]
        );
        assert!(is_account_id("444455556666"));
        assert!(!is_account_id("${AWS::AccountId}"));
    }
}
