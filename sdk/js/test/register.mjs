// `node --import ./test/register.mjs --test ...`: installs hooks.mjs before
// any test imports plume.js.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
