// Original file: proto/tessera/jobs/v1/jobs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CancelJobRequest as _tessera_jobs_v1_CancelJobRequest, CancelJobRequest__Output as _tessera_jobs_v1_CancelJobRequest__Output } from '../../../tessera/jobs/v1/CancelJobRequest.ts';
import type { Dataset as _tessera_jobs_v1_Dataset, Dataset__Output as _tessera_jobs_v1_Dataset__Output } from '../../../tessera/jobs/v1/Dataset.ts';
import type { DatasetPreview as _tessera_jobs_v1_DatasetPreview, DatasetPreview__Output as _tessera_jobs_v1_DatasetPreview__Output } from '../../../tessera/jobs/v1/DatasetPreview.ts';
import type { FileChunk as _tessera_jobs_v1_FileChunk, FileChunk__Output as _tessera_jobs_v1_FileChunk__Output } from '../../../tessera/jobs/v1/FileChunk.ts';
import type { GetJobRequest as _tessera_jobs_v1_GetJobRequest, GetJobRequest__Output as _tessera_jobs_v1_GetJobRequest__Output } from '../../../tessera/jobs/v1/GetJobRequest.ts';
import type { Job as _tessera_jobs_v1_Job, Job__Output as _tessera_jobs_v1_Job__Output } from '../../../tessera/jobs/v1/Job.ts';
import type { JobUpdate as _tessera_jobs_v1_JobUpdate, JobUpdate__Output as _tessera_jobs_v1_JobUpdate__Output } from '../../../tessera/jobs/v1/JobUpdate.ts';
import type { ListCheckpointsRequest as _tessera_jobs_v1_ListCheckpointsRequest, ListCheckpointsRequest__Output as _tessera_jobs_v1_ListCheckpointsRequest__Output } from '../../../tessera/jobs/v1/ListCheckpointsRequest.ts';
import type { ListCheckpointsResponse as _tessera_jobs_v1_ListCheckpointsResponse, ListCheckpointsResponse__Output as _tessera_jobs_v1_ListCheckpointsResponse__Output } from '../../../tessera/jobs/v1/ListCheckpointsResponse.ts';
import type { ListDatasetsRequest as _tessera_jobs_v1_ListDatasetsRequest, ListDatasetsRequest__Output as _tessera_jobs_v1_ListDatasetsRequest__Output } from '../../../tessera/jobs/v1/ListDatasetsRequest.ts';
import type { ListDatasetsResponse as _tessera_jobs_v1_ListDatasetsResponse, ListDatasetsResponse__Output as _tessera_jobs_v1_ListDatasetsResponse__Output } from '../../../tessera/jobs/v1/ListDatasetsResponse.ts';
import type { ListJobsRequest as _tessera_jobs_v1_ListJobsRequest, ListJobsRequest__Output as _tessera_jobs_v1_ListJobsRequest__Output } from '../../../tessera/jobs/v1/ListJobsRequest.ts';
import type { ListJobsResponse as _tessera_jobs_v1_ListJobsResponse, ListJobsResponse__Output as _tessera_jobs_v1_ListJobsResponse__Output } from '../../../tessera/jobs/v1/ListJobsResponse.ts';
import type { ListSegmentationCasesRequest as _tessera_jobs_v1_ListSegmentationCasesRequest, ListSegmentationCasesRequest__Output as _tessera_jobs_v1_ListSegmentationCasesRequest__Output } from '../../../tessera/jobs/v1/ListSegmentationCasesRequest.ts';
import type { ListSegmentationCasesResponse as _tessera_jobs_v1_ListSegmentationCasesResponse, ListSegmentationCasesResponse__Output as _tessera_jobs_v1_ListSegmentationCasesResponse__Output } from '../../../tessera/jobs/v1/ListSegmentationCasesResponse.ts';
import type { ListWorkersRequest as _tessera_jobs_v1_ListWorkersRequest, ListWorkersRequest__Output as _tessera_jobs_v1_ListWorkersRequest__Output } from '../../../tessera/jobs/v1/ListWorkersRequest.ts';
import type { ListWorkersResponse as _tessera_jobs_v1_ListWorkersResponse, ListWorkersResponse__Output as _tessera_jobs_v1_ListWorkersResponse__Output } from '../../../tessera/jobs/v1/ListWorkersResponse.ts';
import type { PreviewDatasetRequest as _tessera_jobs_v1_PreviewDatasetRequest, PreviewDatasetRequest__Output as _tessera_jobs_v1_PreviewDatasetRequest__Output } from '../../../tessera/jobs/v1/PreviewDatasetRequest.ts';
import type { ReadCheckpointFileRequest as _tessera_jobs_v1_ReadCheckpointFileRequest, ReadCheckpointFileRequest__Output as _tessera_jobs_v1_ReadCheckpointFileRequest__Output } from '../../../tessera/jobs/v1/ReadCheckpointFileRequest.ts';
import type { ReadJobResultRequest as _tessera_jobs_v1_ReadJobResultRequest, ReadJobResultRequest__Output as _tessera_jobs_v1_ReadJobResultRequest__Output } from '../../../tessera/jobs/v1/ReadJobResultRequest.ts';
import type { ReadSegmentationCaseRequest as _tessera_jobs_v1_ReadSegmentationCaseRequest, ReadSegmentationCaseRequest__Output as _tessera_jobs_v1_ReadSegmentationCaseRequest__Output } from '../../../tessera/jobs/v1/ReadSegmentationCaseRequest.ts';
import type { RegisterDatasetRequest as _tessera_jobs_v1_RegisterDatasetRequest, RegisterDatasetRequest__Output as _tessera_jobs_v1_RegisterDatasetRequest__Output } from '../../../tessera/jobs/v1/RegisterDatasetRequest.ts';
import type { SegmentationCaseChunk as _tessera_jobs_v1_SegmentationCaseChunk, SegmentationCaseChunk__Output as _tessera_jobs_v1_SegmentationCaseChunk__Output } from '../../../tessera/jobs/v1/SegmentationCaseChunk.ts';
import type { SubmitJobRequest as _tessera_jobs_v1_SubmitJobRequest, SubmitJobRequest__Output as _tessera_jobs_v1_SubmitJobRequest__Output } from '../../../tessera/jobs/v1/SubmitJobRequest.ts';
import type { SubmitJobResponse as _tessera_jobs_v1_SubmitJobResponse, SubmitJobResponse__Output as _tessera_jobs_v1_SubmitJobResponse__Output } from '../../../tessera/jobs/v1/SubmitJobResponse.ts';
import type { UploadDatasetRequest as _tessera_jobs_v1_UploadDatasetRequest, UploadDatasetRequest__Output as _tessera_jobs_v1_UploadDatasetRequest__Output } from '../../../tessera/jobs/v1/UploadDatasetRequest.ts';
import type { WatchJobRequest as _tessera_jobs_v1_WatchJobRequest, WatchJobRequest__Output as _tessera_jobs_v1_WatchJobRequest__Output } from '../../../tessera/jobs/v1/WatchJobRequest.ts';

export interface JobServiceClient extends grpc.Client {
  CancelJob(argument: _tessera_jobs_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tessera_jobs_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tessera_jobs_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  CancelJob(argument: _tessera_jobs_v1_CancelJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tessera_jobs_v1_CancelJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tessera_jobs_v1_CancelJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tessera_jobs_v1_CancelJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  cancelJob(argument: _tessera_jobs_v1_CancelJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  
  GetJob(argument: _tessera_jobs_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tessera_jobs_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tessera_jobs_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _tessera_jobs_v1_GetJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tessera_jobs_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tessera_jobs_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tessera_jobs_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _tessera_jobs_v1_GetJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Job__Output>): grpc.ClientUnaryCall;
  
  ListCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  ListCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  ListCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  ListCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  listCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  listCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  listCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  listCheckpoints(argument: _tessera_jobs_v1_ListCheckpointsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListCheckpointsResponse__Output>): grpc.ClientUnaryCall;
  
  ListDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  ListDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  ListDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  ListDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  listDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  listDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  listDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  listDatasets(argument: _tessera_jobs_v1_ListDatasetsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListDatasetsResponse__Output>): grpc.ClientUnaryCall;
  
  ListJobs(argument: _tessera_jobs_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tessera_jobs_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tessera_jobs_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _tessera_jobs_v1_ListJobsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tessera_jobs_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tessera_jobs_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tessera_jobs_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _tessera_jobs_v1_ListJobsRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  ListSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  ListSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  ListSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  ListSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  listSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  listSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  listSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  listSegmentationCases(argument: _tessera_jobs_v1_ListSegmentationCasesRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListSegmentationCasesResponse__Output>): grpc.ClientUnaryCall;
  
  ListWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  ListWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  listWorkers(argument: _tessera_jobs_v1_ListWorkersRequest, callback: grpc.requestCallback<_tessera_jobs_v1_ListWorkersResponse__Output>): grpc.ClientUnaryCall;
  
  PreviewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  PreviewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  PreviewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  PreviewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  previewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  previewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  previewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  previewDataset(argument: _tessera_jobs_v1_PreviewDatasetRequest, callback: grpc.requestCallback<_tessera_jobs_v1_DatasetPreview__Output>): grpc.ClientUnaryCall;
  
  ReadCheckpointFile(argument: _tessera_jobs_v1_ReadCheckpointFileRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  ReadCheckpointFile(argument: _tessera_jobs_v1_ReadCheckpointFileRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  readCheckpointFile(argument: _tessera_jobs_v1_ReadCheckpointFileRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  readCheckpointFile(argument: _tessera_jobs_v1_ReadCheckpointFileRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  
  ReadJobResult(argument: _tessera_jobs_v1_ReadJobResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  ReadJobResult(argument: _tessera_jobs_v1_ReadJobResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  readJobResult(argument: _tessera_jobs_v1_ReadJobResultRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  readJobResult(argument: _tessera_jobs_v1_ReadJobResultRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_FileChunk__Output>;
  
  ReadSegmentationCase(argument: _tessera_jobs_v1_ReadSegmentationCaseRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_SegmentationCaseChunk__Output>;
  ReadSegmentationCase(argument: _tessera_jobs_v1_ReadSegmentationCaseRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_SegmentationCaseChunk__Output>;
  readSegmentationCase(argument: _tessera_jobs_v1_ReadSegmentationCaseRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_SegmentationCaseChunk__Output>;
  readSegmentationCase(argument: _tessera_jobs_v1_ReadSegmentationCaseRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_SegmentationCaseChunk__Output>;
  
  RegisterDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  RegisterDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  RegisterDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  RegisterDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  registerDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  registerDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  registerDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  registerDataset(argument: _tessera_jobs_v1_RegisterDatasetRequest, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientUnaryCall;
  
  SubmitJob(argument: _tessera_jobs_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _tessera_jobs_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _tessera_jobs_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  SubmitJob(argument: _tessera_jobs_v1_SubmitJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _tessera_jobs_v1_SubmitJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _tessera_jobs_v1_SubmitJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _tessera_jobs_v1_SubmitJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  submitJob(argument: _tessera_jobs_v1_SubmitJobRequest, callback: grpc.requestCallback<_tessera_jobs_v1_SubmitJobResponse__Output>): grpc.ClientUnaryCall;
  
  UploadDataset(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  UploadDataset(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  UploadDataset(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  UploadDataset(callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  uploadDataset(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  uploadDataset(metadata: grpc.Metadata, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  uploadDataset(options: grpc.CallOptions, callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  uploadDataset(callback: grpc.requestCallback<_tessera_jobs_v1_Dataset__Output>): grpc.ClientWritableStream<_tessera_jobs_v1_UploadDatasetRequest>;
  
  WatchJob(argument: _tessera_jobs_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_JobUpdate__Output>;
  WatchJob(argument: _tessera_jobs_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_JobUpdate__Output>;
  watchJob(argument: _tessera_jobs_v1_WatchJobRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_JobUpdate__Output>;
  watchJob(argument: _tessera_jobs_v1_WatchJobRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_tessera_jobs_v1_JobUpdate__Output>;
  
}

export interface JobServiceHandlers extends grpc.UntypedServiceImplementation {
  CancelJob: grpc.handleUnaryCall<_tessera_jobs_v1_CancelJobRequest__Output, _tessera_jobs_v1_Job>;
  
  GetJob: grpc.handleUnaryCall<_tessera_jobs_v1_GetJobRequest__Output, _tessera_jobs_v1_Job>;
  
  ListCheckpoints: grpc.handleUnaryCall<_tessera_jobs_v1_ListCheckpointsRequest__Output, _tessera_jobs_v1_ListCheckpointsResponse>;
  
  ListDatasets: grpc.handleUnaryCall<_tessera_jobs_v1_ListDatasetsRequest__Output, _tessera_jobs_v1_ListDatasetsResponse>;
  
  ListJobs: grpc.handleUnaryCall<_tessera_jobs_v1_ListJobsRequest__Output, _tessera_jobs_v1_ListJobsResponse>;
  
  ListSegmentationCases: grpc.handleUnaryCall<_tessera_jobs_v1_ListSegmentationCasesRequest__Output, _tessera_jobs_v1_ListSegmentationCasesResponse>;
  
  ListWorkers: grpc.handleUnaryCall<_tessera_jobs_v1_ListWorkersRequest__Output, _tessera_jobs_v1_ListWorkersResponse>;
  
  PreviewDataset: grpc.handleUnaryCall<_tessera_jobs_v1_PreviewDatasetRequest__Output, _tessera_jobs_v1_DatasetPreview>;
  
  ReadCheckpointFile: grpc.handleServerStreamingCall<_tessera_jobs_v1_ReadCheckpointFileRequest__Output, _tessera_jobs_v1_FileChunk>;
  
  ReadJobResult: grpc.handleServerStreamingCall<_tessera_jobs_v1_ReadJobResultRequest__Output, _tessera_jobs_v1_FileChunk>;
  
  ReadSegmentationCase: grpc.handleServerStreamingCall<_tessera_jobs_v1_ReadSegmentationCaseRequest__Output, _tessera_jobs_v1_SegmentationCaseChunk>;
  
  RegisterDataset: grpc.handleUnaryCall<_tessera_jobs_v1_RegisterDatasetRequest__Output, _tessera_jobs_v1_Dataset>;
  
  SubmitJob: grpc.handleUnaryCall<_tessera_jobs_v1_SubmitJobRequest__Output, _tessera_jobs_v1_SubmitJobResponse>;
  
  UploadDataset: grpc.handleClientStreamingCall<_tessera_jobs_v1_UploadDatasetRequest__Output, _tessera_jobs_v1_Dataset>;
  
  WatchJob: grpc.handleServerStreamingCall<_tessera_jobs_v1_WatchJobRequest__Output, _tessera_jobs_v1_JobUpdate>;
  
}

export interface JobServiceDefinition extends grpc.ServiceDefinition {
  CancelJob: MethodDefinition<_tessera_jobs_v1_CancelJobRequest, _tessera_jobs_v1_Job, _tessera_jobs_v1_CancelJobRequest__Output, _tessera_jobs_v1_Job__Output>
  GetJob: MethodDefinition<_tessera_jobs_v1_GetJobRequest, _tessera_jobs_v1_Job, _tessera_jobs_v1_GetJobRequest__Output, _tessera_jobs_v1_Job__Output>
  ListCheckpoints: MethodDefinition<_tessera_jobs_v1_ListCheckpointsRequest, _tessera_jobs_v1_ListCheckpointsResponse, _tessera_jobs_v1_ListCheckpointsRequest__Output, _tessera_jobs_v1_ListCheckpointsResponse__Output>
  ListDatasets: MethodDefinition<_tessera_jobs_v1_ListDatasetsRequest, _tessera_jobs_v1_ListDatasetsResponse, _tessera_jobs_v1_ListDatasetsRequest__Output, _tessera_jobs_v1_ListDatasetsResponse__Output>
  ListJobs: MethodDefinition<_tessera_jobs_v1_ListJobsRequest, _tessera_jobs_v1_ListJobsResponse, _tessera_jobs_v1_ListJobsRequest__Output, _tessera_jobs_v1_ListJobsResponse__Output>
  ListSegmentationCases: MethodDefinition<_tessera_jobs_v1_ListSegmentationCasesRequest, _tessera_jobs_v1_ListSegmentationCasesResponse, _tessera_jobs_v1_ListSegmentationCasesRequest__Output, _tessera_jobs_v1_ListSegmentationCasesResponse__Output>
  ListWorkers: MethodDefinition<_tessera_jobs_v1_ListWorkersRequest, _tessera_jobs_v1_ListWorkersResponse, _tessera_jobs_v1_ListWorkersRequest__Output, _tessera_jobs_v1_ListWorkersResponse__Output>
  PreviewDataset: MethodDefinition<_tessera_jobs_v1_PreviewDatasetRequest, _tessera_jobs_v1_DatasetPreview, _tessera_jobs_v1_PreviewDatasetRequest__Output, _tessera_jobs_v1_DatasetPreview__Output>
  ReadCheckpointFile: MethodDefinition<_tessera_jobs_v1_ReadCheckpointFileRequest, _tessera_jobs_v1_FileChunk, _tessera_jobs_v1_ReadCheckpointFileRequest__Output, _tessera_jobs_v1_FileChunk__Output>
  ReadJobResult: MethodDefinition<_tessera_jobs_v1_ReadJobResultRequest, _tessera_jobs_v1_FileChunk, _tessera_jobs_v1_ReadJobResultRequest__Output, _tessera_jobs_v1_FileChunk__Output>
  ReadSegmentationCase: MethodDefinition<_tessera_jobs_v1_ReadSegmentationCaseRequest, _tessera_jobs_v1_SegmentationCaseChunk, _tessera_jobs_v1_ReadSegmentationCaseRequest__Output, _tessera_jobs_v1_SegmentationCaseChunk__Output>
  RegisterDataset: MethodDefinition<_tessera_jobs_v1_RegisterDatasetRequest, _tessera_jobs_v1_Dataset, _tessera_jobs_v1_RegisterDatasetRequest__Output, _tessera_jobs_v1_Dataset__Output>
  SubmitJob: MethodDefinition<_tessera_jobs_v1_SubmitJobRequest, _tessera_jobs_v1_SubmitJobResponse, _tessera_jobs_v1_SubmitJobRequest__Output, _tessera_jobs_v1_SubmitJobResponse__Output>
  UploadDataset: MethodDefinition<_tessera_jobs_v1_UploadDatasetRequest, _tessera_jobs_v1_Dataset, _tessera_jobs_v1_UploadDatasetRequest__Output, _tessera_jobs_v1_Dataset__Output>
  WatchJob: MethodDefinition<_tessera_jobs_v1_WatchJobRequest, _tessera_jobs_v1_JobUpdate, _tessera_jobs_v1_WatchJobRequest__Output, _tessera_jobs_v1_JobUpdate__Output>
}
