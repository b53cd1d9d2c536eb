//! Bulk mode: many registrations on one event loop (issue #6).
