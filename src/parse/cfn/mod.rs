//! CloudFormation and SAM templates: intrinsics resolved symbolically, lowered to the model.
