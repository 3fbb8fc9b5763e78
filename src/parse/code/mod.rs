//! AWS SDK call extraction from function code with tree-sitter grammars.
