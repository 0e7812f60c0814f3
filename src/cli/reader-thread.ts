/**
 * The book reader thread's own bundle (dist/reader.js): read-ahead.ts's reader and what it imports, without the rest of
 * the CLI. A thread that compiles a seventh of the CLI's code is reading the book about 50 ms sooner, and until its
 * first chunk comes the command has nothing to do. (The CLI bundle serves a reader too, when this one is missing.)
 */
import { isBookReaderThread, serveBookChunks } from './read-ahead.js';

if (isBookReaderThread()) void serveBookChunks();
