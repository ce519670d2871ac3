//! The demo centre's groups (filled in below).
