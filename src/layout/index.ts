export { BookLayout, layoutBook, type LayoutOptions } from './book-layout.js';
export { MarketLayout, applyMarket } from './market-layout.js';
export { layoutToBook } from './to-book.js';
export * from './codes.js';
