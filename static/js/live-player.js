// Entry point of the live pages' players: defines <cctv-player> (player/element.js) once.

import { CctvPlayer } from "./player/element.js";

if (window.customElements && !customElements.get("cctv-player")) customElements.define("cctv-player", CctvPlayer);
