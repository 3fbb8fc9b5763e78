//! ARNs (`arn:partition:service:region:account:resource`) parsed with nom. A field may hold
//! deploy-time placeholders such as `${AWS::Region}`, whose `::` must not split fields.

use nom::branch::alt;
use nom::bytes::complete::{is_not, tag, take_until};
use nom::combinator::{recognize, rest};
use nom::multi::many0;
use nom::sequence::{delimited, terminated};
use nom::{IResult, Parser};

/// A parsed ARN; the resource part keeps its own `:` and `/`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Arn {
    pub partition: String,
    pub service: String,
    pub region: String,
    pub account: String,
    pub resource: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an ARN (expected arn:partition:service:region:account:resource): {0}")]
pub struct ArnError(pub String);

fn field(i: &str) -> IResult<&str, &str> {
    recognize(many0(alt((
        recognize(delimited(tag("${"), take_until("}"), tag("}"))),
        is_not(":$"),
        tag("$"),
    ))))
    .parse(i)
}

fn arn(i: &str) -> IResult<&str, [&str; 5]> {
    let (i, _) = tag("arn:").parse(i)?;
    let (i, partition) = terminated(field, tag(":")).parse(i)?;
    let (i, service) = terminated(field, tag(":")).parse(i)?;
    let (i, region) = terminated(field, tag(":")).parse(i)?;
    let (i, account) = terminated(field, tag(":")).parse(i)?;
    let (i, resource) = rest(i)?;
    Ok((i, [partition, service, region, account, resource]))
}

impl Arn {
    pub fn parse(s: &str) -> Result<Arn, ArnError> {
        match arn(s) {
            Ok(("", [partition, service, region, account, resource])) => Ok(Arn {
                partition: partition.into(),
                service: service.into(),
                region: region.into(),
                account: account.into(),
                resource: resource.into(),
            }),
            _ => Err(ArnError(s.to_string())),
        }
    }

    /// The six colon-separated components compared one by one by `ArnLike`.
    pub fn components(&self) -> [&str; 6] {
        [
            "arn",
            &self.partition,
            &self.service,
            &self.region,
            &self.account,
            &self.resource,
        ]
    }
}

impl std::fmt::Display for Arn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_their_colons() -> Result<(), ArnError> {
        let a = Arn::parse("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}")?;
        assert_eq!(a.region, "${AWS::Region}");
        assert_eq!(a.account, "${AWS::AccountId}");
        assert_eq!(a.resource, "${Queue.QueueName}");
        let b = Arn::parse("arn:aws:logs:us-east-1:1:log-group:/aws/x:*")?;
        assert_eq!(b.resource, "log-group:/aws/x:*");
        assert_eq!(b.to_string(), "arn:aws:logs:us-east-1:1:log-group:/aws/x:*");
        assert!(Arn::parse("arn:aws:s3").is_err());
        assert!(Arn::parse("*").is_err());
        Ok(())
    }
}
