//! The only file that knows JS: wasm-bindgen exports that convert values and errors at
//! the edge. No logic lives here.
