export { mlopsApi } from './apis';
export { mlopsEntityCard } from './entityCards';
export { mlopsEntityContent } from './entityContents';
export { mlopsFleetPage } from './pages';
export { mlopsFrontendPlugin } from './plugin';
