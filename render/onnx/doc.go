// Package onnx is Slate's on-device render backend: it renders a shot with
// a video diffusion model from an installed model pack (see ml/pack) on
// ONNX Runtime, on the GPU where there is one.
//
// A render tokenizes the shot's prompt (with its cast's preferences and
// its camera in words), encodes it, denoises seeded noise with the
// flow-matching Euler sampler and classifier-free guidance, decodes the
// latent in chunks, retimes the model's frames to the project's rate and
// encodes them with the shot's dialogue, like every backend. Before it
// starts, a memory planner refuses a render that would not fit.
package onnx
