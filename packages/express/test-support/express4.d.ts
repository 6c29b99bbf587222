// `express4` is an npm alias of Express 4, installed to test both majors; it has Express's own API.
declare module 'express4' {
  import express from 'express'
  export default express
}
