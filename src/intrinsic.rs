//! The intrinsic functions (`States.Format`, `States.Array`, ...): parsing of the call
//! syntax and evaluation with AWS's argument checks and `States.IntrinsicFailure` causes.
