// A live player's WebRTC session: one RTCPeerConnection, receive-only, negotiated over the relay
// socket in go2rtc's protocol (webrtc/offer, webrtc/answer, webrtc/candidate).
//
// It reports to its player through callbacks, never after close():
//   onUnreachable()  the media path did not come up (firewall, codec, no answer to ICE): try MSE
//   onLost()         it was connected and then failed (a network change): start over
//   onNoAnswer()     the gateway never answered the offer

const CONNECT_MS = 6000;    // answered but not connected by then: give up on WebRTC...
const PATIENCE_MS = 20000;  // ...unless the gateway answers ICE checks: then up to this
const ANSWER_TIMEOUT_MS = 20000;
const REJUDGE_MS = 1000;

// Whether any ICE candidate pair got a reply from the gateway.
const gatewayAnswersIce = async (pc) => {
  try {
    const report = await pc.getStats();
    let answered = false;
    report.forEach((stat) => {
      if (stat.type === "candidate-pair" && (stat.responsesReceived > 0 || stat.state === "succeeded")) answered = true;
    });
    return answered;
  } catch {
    return false;
  }
};

export class WebRtcSession {
  constructor({ video, iceServers, send, play, onUnreachable, onLost, onNoAnswer }) {
    Object.assign(this, { video, send, play, onUnreachable, onLost, onNoAnswer });
    this.iceServers = iceServers || [];
    this.pc = null;
    this.closed = false;
    this.connected = false;
    this.timers = {};
    this.remoteChain = Promise.resolve();
  }

  async start() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    const pending = [];  // local candidates found before the offer went out
    let offerSent = false;
    const stream = new MediaStream();
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.ontrack = (event) => {
      stream.addTrack(event.track);
      if (this.video.srcObject !== stream) this.video.srcObject = stream;
      this.play();
    };
    pc.onicecandidate = (event) => {
      const candidate = { type: "webrtc/candidate", value: event.candidate ? event.candidate.candidate : "" };
      if (offerSent) this.send(candidate);
      else pending.push(candidate);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "connected") {
        this.clearTimer("judge");
        this.connected = true;
      } else if (pc.connectionState === "failed") {
        // Never connected: the media port is out of reach. Connected before: a network change.
        if (this.connected) this.onLost();
        else this.onUnreachable();
      }
    };
    // The gateway answers once it has the camera's stream; a camera that cannot be reached is
    // reported as an error frame, so this is only a safety net.
    this.setTimer("answer", () => this.onNoAnswer(), ANSWER_TIMEOUT_MS);
    try {
      await pc.setLocalDescription(await pc.createOffer());
    } catch (err) {
      console.warn("cctv-player: WebRTC offer failed", err);
      if (!this.closed) this.onUnreachable();
      return;
    }
    if (this.closed) return;
    this.send({ type: "webrtc/offer", value: pc.localDescription.sdp });
    offerSent = true;
    pending.forEach((candidate) => this.send(candidate));
  }

  // Remote descriptions and candidates are applied strictly in order: a candidate must not be
  // added before the answer it belongs to.
  answer(sdp) {
    const pc = this.pc;
    if (!pc) return;
    this.clearTimer("answer");
    // From here on only the media path is left: if it does not connect soon, the browser probably
    // cannot reach the gateway's WebRTC port.
    const answeredAt = performance.now();
    const judge = async () => {
      if (pc.connectionState === "connected") return;
      const reachable = await gatewayAnswersIce(pc);
      if (this.closed || pc.connectionState === "connected") return;
      // Answers to our connectivity checks prove the port is reachable: the machine is merely
      // busy (a big wall starting), so be patient.
      if (reachable && performance.now() - answeredAt < PATIENCE_MS) this.setTimer("judge", judge, REJUDGE_MS);
      else this.onUnreachable();
    };
    this.setTimer("judge", judge, CONNECT_MS);
    this.remoteChain = this.remoteChain
      .then(() => pc.setRemoteDescription({ type: "answer", sdp }))
      .catch((err) => console.warn("cctv-player: bad answer", err));
  }

  candidate(candidate) {
    const pc = this.pc;
    if (!pc || !candidate) return;  // "" marks the end of the gateway's candidates
    this.remoteChain = this.remoteChain
      .then(() => pc.addIceCandidate({ candidate, sdpMid: "0" }))
      .catch((err) => console.debug("cctv-player: candidate skipped", err));
  }

  // Stops the session; nothing is reported after this.
  close() {
    this.closed = true;
    Object.keys(this.timers).forEach((name) => this.clearTimer(name));
    if (!this.pc) return;
    this.pc.ontrack = this.pc.onicecandidate = this.pc.onconnectionstatechange = null;
    this.pc.close();
    this.pc = null;
  }

  setTimer(name, fn, ms) {
    this.clearTimer(name);
    this.timers[name] = setTimeout(() => {
      delete this.timers[name];
      if (!this.closed) fn();
    }, ms);
  }

  clearTimer(name) {
    clearTimeout(this.timers[name]);
    delete this.timers[name];
  }
}
