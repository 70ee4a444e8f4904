// One wording for the camera's health, shared by the dashboard line and the live-session banner.

export function cameraProblem(camera) {
  if (!camera) return null;
  if (camera.ok) return null;
  return `No camera: ${camera.error || "not connected"}`;
}

export function cameraSummary(camera) {
  const problem = cameraProblem(camera);
  if (problem) return problem;
  const fps = typeof camera.fps === "number" ? camera.fps.toFixed(1) : "?";
  return `Camera OK (${camera.source}, ${fps} frames/s)`;
}
