"""The model library: process definitions and their versions, CEL expressions, forms, drafts, deploy,
migration between versions, bundles and diffs."""
