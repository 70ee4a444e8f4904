// A question's countdown, from the public state's wall-clock deadline. The browser's clock may be off,
// so the server's clock (server_time in every state) is the reference: we keep the difference.
// When the time runs out it says so ("Time's up"), also after the server has closed the question.

const TIMES_UP = "Time's up";

export class Countdown {
  constructor(node) {
    this.node = node;
    this.deadline = null;
    this.frozen = null;   // seconds left while paused
    this.offset = 0;      // server clock minus browser clock, seconds
    this.question = null; // "session:index" of the question the countdown belongs to
    this.ranOut = false;  // this question was closed by its countdown
    setInterval(() => this.draw(), 250);
  }

  // `state` is a whole public state ({server_time, session}).
  update(state) {
    const session = state.session;
    if (typeof state.server_time === "number") this.offset = state.server_time - Date.now() / 1000;
    const question = session && session.question_index !== null ? `${session.id}:${session.question_index}` : null;
    if (question !== this.question) {
      this.question = question;
      this.ranOut = false;
    }
    if (session && session.state === "closed" && this.deadline !== null && this.now() >= this.deadline - 1) {
      this.ranOut = true;  // it was open with a deadline that has passed: the timer closed it
    }
    if (!session || session.state === "open" || session.state === "paused") this.ranOut = false;
    this.deadline = session && session.state === "open" ? session.deadline ?? null : null;
    this.frozen = session && session.state === "paused" ? session.remaining ?? null : null;
    this.draw();
  }

  now() {
    return Date.now() / 1000 + this.offset;
  }

  secondsLeft() {
    if (this.frozen !== null) return this.frozen;
    if (this.deadline === null) return null;
    return Math.max(0, this.deadline - this.now());
  }

  draw() {
    const left = this.secondsLeft();
    const up = this.ranOut || left === 0;
    this.node.hidden = left === null && !up;
    this.node.classList.toggle("times-up", up);
    if (this.node.hidden) return;
    const whole = up ? 0 : Math.ceil(left);
    const text = up ? TIMES_UP : `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
    if (this.node.textContent !== text) this.node.textContent = text;
    this.node.classList.toggle("ending", whole <= 5);
  }
}
