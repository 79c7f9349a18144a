// Set before React, ReactDOM and the scheduler are first imported: each chooses between its
// development and production build on this variable at load time, as a bundler's `define` does for
// an app's production build.
process.env.NODE_ENV = 'production';
