import { GraftError } from '@graft/core';

/**
 * The page's camera: one stream shown in a <video>, opened on the first capture and kept while the page
 * lives; a capture is the current frame as PNG bytes (the image folder dataset resizes it like any image).
 */
export class Camera {
  private stream: MediaStream | undefined;

  constructor(private readonly video: HTMLVideoElement) {}

  /** Open the camera (asks the person once); a message says why when there is none or it is refused. */
  async open(): Promise<void> {
    if (this.stream) return;
    if (!navigator.mediaDevices?.getUserMedia) throw new CameraUnavailable('This browser offers no camera access here (it needs https or localhost)');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 320 }, height: { ideal: 240 } }, audio: false });
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      throw new CameraUnavailable(name === 'NotAllowedError' ? 'The camera permission was refused' : name === 'NotFoundError' ? 'No camera was found' : `The camera could not start (${error instanceof Error ? error.message : String(error)})`);
    }
    this.video.srcObject = this.stream;
    this.video.hidden = false;
    await this.video.play();
    // The first frame: until it arrives the video has no size to draw.
    if (this.video.videoWidth === 0) await new Promise((resolve) => this.video.addEventListener('loadeddata', resolve, { once: true }));
  }

  /** The frame on screen now, as a PNG. */
  async capture(): Promise<Uint8Array> {
    await this.open();
    const canvas = document.createElement('canvas');
    canvas.width = this.video.videoWidth;
    canvas.height = this.video.videoHeight;
    canvas.getContext('2d')!.drawImage(this.video, 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new CameraUnavailable('The frame could not be encoded');
    return new Uint8Array(await blob.arrayBuffer());
  }
}

/** Why a capture did not happen: the camera is an image source that is not there (GRAFT_DATA_NOT_FOUND). */
class CameraUnavailable extends GraftError {
  constructor(reason: string) {
    super('GRAFT_DATA_NOT_FOUND', { what: 'No camera capture', why: reason, fix: 'Allow the camera for this page, or add images from files or by drag and drop' });
  }
}
