// The upload server in a child process, so a test can measure the client's memory alone.
import { startUploadServer } from './upload-server';

const server = await startUploadServer();
process.send?.({ url: server.url });
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
