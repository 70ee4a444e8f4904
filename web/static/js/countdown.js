// A question's countdown, from the public state's wall-clock deadline. The browser's clock may be off,
// so the server's clock (server_time in every state) is the reference: we keep the difference.

export class Countdown {
  constructor(node) {
    this.node = node;
    this.deadline = null;
    this.frozen = null;   // seconds left while paused
    this.offset = 0;      // server clock minus browser clock, seconds
    setInterval(() => this.draw(), 250);
  }

  // `state` is a whole public state ({server_time, session}).
  update(state) {
    const session = state.session;
    if (typeof state.server_time === "number") this.offset = state.server_time - Date.now() / 1000;
    this.deadline = session && session.state === "open" ? session.deadline ?? null : null;
    this.frozen = session && session.state === "paused" ? session.remaining ?? null : null;
    this.draw();
  }

  secondsLeft() {
    if (this.frozen !== null) return this.frozen;
    if (this.deadline === null) return null;
    return Math.max(0, this.deadline - (Date.now() / 1000 + this.offset));
  }

  draw() {
    const left = this.secondsLeft();
    this.node.hidden = left === null;
    if (left === null) return;
    const whole = Math.ceil(left);
    this.node.textContent = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
    this.node.classList.toggle("ending", whole <= 5);
  }
}
