// Whether the browser can decode a recording's codecs, and what to tell a person when it cannot.
//
// `isTypeSupported` is MediaSource.isTypeSupported (null where there is no MediaSource: Safari's
// native HLS then decides by itself).

const NAMES = { hvc1: "H.265", hev1: "H.265", avc1: "H.264", avc3: "H.264", av01: "AV1", vp09: "VP9" };

export const codecName = (codecs) => {
  const video = String(codecs || "").split(",")[0].split(".")[0];
  return NAMES[video] || video || "unknown";
};

export const canDecode = (codecs, isTypeSupported) =>
  !codecs || !isTypeSupported || isTypeSupported(`video/mp4; codecs="${codecs}"`);

export const cannotDecodeText = (codecs) =>
  `This browser cannot decode this camera's recorded video (${codecName(codecs)}). ` +
  "Choose the sub stream above if it is recorded in another codec, or use a browser that plays " +
  `${codecName(codecs)} (Safari, or Chrome or Edge with hardware support).`;
